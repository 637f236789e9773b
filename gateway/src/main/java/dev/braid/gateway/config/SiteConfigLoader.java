package dev.braid.gateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import dev.braid.ecmp.IpPrefix;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * Turns a site's YAML file into a {@link SiteConfig}, touching nothing but the file and the key
 * files it names. Three stages, each reporting every problem it finds before stopping:
 * (1) {@link YamlDocumentReader} parses into a located tree (syntax, duplicate keys);
 * (2) the schema walk below reads every setting with its default, rejecting unknown keys, wrong
 * types, bad values and unusable key files; (3) {@link SiteConfigChecks} checks the settings
 * against each other. Checks that need the worker count are the planner's.
 */
public final class SiteConfigLoader {
    public static final int DEFAULT_BASE_PORT = 51820;
    public static final String DEFAULT_LINK_POOL = "10.14.0.0/24";
    public static final String DEFAULT_TUN_PREFIX = "braid";
    public static final String DEFAULT_FLOATING_INTERFACE = "braid-float";
    public static final int DEFAULT_UNDERLAY_MTU = 1500;
    public static final int DEFAULT_KEEPALIVE_INTERVAL_MS = 200;
    public static final int DEFAULT_RESTART_BACKOFF_MAX_S = 30;
    public static final String DEFAULT_METRICS_LISTEN = "127.0.0.1:9586";
    public static final long DEFAULT_NEXTHOP_ID_BASE = 518_200L;
    public static final int MAX_WORKERS = 64;
    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9000;
    /** Linux interface names hold at most 15 characters (IFNAMSIZ 16 with the NUL). */
    public static final int MAX_INTERFACE_NAME = 15;

    /** Known keys by section ("" = top level), in the order the example configs use. */
    static final Map<String, List<String>> SCHEMA = schema();

    private static final Pattern SITE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,23}");
    private static final Pattern TUN_PREFIX = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");

    private final SettingsReader in;
    private final KeySettings keys;

    private SiteConfigLoader(SettingsReader in) {
        this.in = in;
        this.keys = new KeySettings(in);
    }

    /**
     * Loads and checks {@code file}.
     *
     * @throws ConfigException with every problem found, each as FILE:LINE: FIELD: problem (what to do)
     */
    public static SiteConfig load(Path file) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        YamlNode.MapNode root = YamlDocumentReader.read(file, errors);
        if (root == null) {
            throw new ConfigException(errors);
        }
        SettingsReader reader = new SettingsReader(file, errors);
        reader.lineByField().put("", root.line());
        SiteConfig config = new SiteConfigLoader(reader).read(root);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        errors.addAll(SiteConfigChecks.check(config));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return config;
    }

    private SiteConfig read(YamlNode.MapNode root) {
        in.rejectUnknownKeys(root, SCHEMA.get(""), SCHEMA);
        String site = siteName(root);
        Path privateKeyFile = path(root, "private_key_file",
                "the path of this site's private key file (create one: umask 077; braid genkey > /etc/braid/" + (site == null ? "SITE" : site) + ".key)");
        byte[] privateKey = privateKeyFile == null ? null : keys.readKey(root, "private_key_file", privateKeyFile);
        WireGuardPublicKey localPublicKey = privateKey == null ? null : WireGuardPublicKey.of(WireGuardKeys.publicFromPrivate(privateKey));

        YamlNode.MapNode listen = section(root, "listen", null);
        Long basePort = listen == null ? null : in.integer(listen, "base_port", 1, 65535, (long) DEFAULT_BASE_PORT);
        SiteConfig.Peer peer = peer(root, localPublicKey, basePort == null ? DEFAULT_BASE_PORT : basePort.intValue());

        OptionalInt workers = workerCount(root);
        Boolean allowOversubscription = in.bool(root, "allow_oversubscription", false);
        List<Integer> workerCpus = workerCpus(root);
        IpPrefix linkPool = linkPool(root);
        String tunPrefix = tunPrefix(root);
        SiteConfig.Floating floating = floating(root);
        SiteConfig.Remote remote = remote(root);
        List<IpPrefix> localPrefixes = prefixes(root, "local_prefixes", "local_prefixes: [192.168.10.0/24]");
        OptionalInt mtu = mtu(root);
        Long underlayMtu = in.integer(root, "underlay_mtu", MIN_MTU, 65535, (long) DEFAULT_UNDERLAY_MTU);
        SiteConfig.Health health = health(root);
        SiteConfig.Metrics metrics = metrics(root);
        Path stateDir = stateDir(root, site);
        Long nexthopIdBase = in.integer(root, "nexthop_id_base", 1, dev.braid.ecmp.SiteRouting.MAX_ID - 1, DEFAULT_NEXTHOP_ID_BASE);

        if (Arrays.asList(site, privateKeyFile, localPublicKey, basePort, peer, workers, allowOversubscription, workerCpus, linkPool,
                tunPrefix, floating, remote, localPrefixes, mtu, underlayMtu, health, metrics, stateDir, nexthopIdBase).contains(null)) {
            return null;
        }
        return new SiteConfig(new ConfigSource(in.file(), in.lineByField()), site, privateKeyFile, localPublicKey, peer,
                basePort.intValue(), workers, allowOversubscription, workerCpus, linkPool, tunPrefix, floating, remote, localPrefixes,
                mtu, underlayMtu.intValue(), health, metrics, stateDir, nexthopIdBase);
    }

    private YamlNode.MapNode section(YamlNode.MapNode parent, String key, String requiredWhat) {
        YamlNode.MapNode map = in.map(parent, key, requiredWhat);
        if (map != null) {
            in.rejectUnknownKeys(map, SCHEMA.get(map.path()), SCHEMA);
        }
        return map;
    }

    private String siteName(YamlNode.MapNode root) {
        String site = in.text(root, "site", "the site's name, e.g. site: hq");
        if (site != null && !SITE_NAME.matcher(site).matches()) {
            String fixed = site.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
            String hint = SITE_NAME.matcher(fixed).matches() ? "; e.g. " + fixed : "";
            in.error(in.value(root, "site"), "'" + site + "' is not a site name (1..24 of a-z, 0-9 and '-', not starting with '-'; it names /run/braid/<site>" + hint + ")");
            return null;
        }
        return site;
    }

    /** A file path; relative paths are taken from the config file's directory. */
    private Path path(YamlNode.MapNode map, String key, String requiredWhat) {
        String text = in.text(map, key, requiredWhat);
        if (text == null) {
            return null;
        }
        if (text.isEmpty() || text.indexOf('\0') >= 0) {
            in.error(in.value(map, key), "expected a file path, got '" + text + "'");
            return null;
        }
        Path base = in.file().toAbsolutePath().getParent();
        return base.resolve(text).normalize();
    }

    private SiteConfig.Peer peer(YamlNode.MapNode root, WireGuardPublicKey localPublicKey, int basePort) {
        YamlNode.MapNode peer = section(root, "peer", "the peer: section with the other site's public_key and endpoint");
        if (peer == null) {
            return null;
        }
        WireGuardPublicKey publicKey = keys.peerPublicKey(peer, localPublicKey);
        HostPort endpoint = null;
        String endpointText = in.text(peer, "endpoint",
                "where the other site's workers listen: HOST or HOST:PORT (port of its worker 0; default our listen.base_port)");
        if (endpointText != null) {
            try {
                endpoint = HostPort.parse(endpointText, basePort);
            } catch (IllegalArgumentException e) {
                in.error(in.value(peer, "endpoint"), e.getMessage());
            }
        }
        Optional<Path> psk = Optional.empty(); // stays null after an error
        if (in.value(peer, "preshared_key_file") != null) {
            Path pskFile = path(peer, "preshared_key_file", null);
            psk = pskFile == null || keys.readKey(peer, "preshared_key_file", pskFile) == null ? null : Optional.of(pskFile);
        }
        return publicKey == null || endpoint == null || psk == null ? null : new SiteConfig.Peer(publicKey, endpoint, psk);
    }

    private OptionalInt workerCount(YamlNode.MapNode root) {
        YamlNode node = in.value(root, "workers");
        if (node == null || node instanceof YamlNode.ScalarNode s && s.kind() == YamlNode.ScalarKind.STRING && s.text().strip().equals("auto")) {
            return OptionalInt.empty();
        }
        Long count = in.integerOf(node, 1, MAX_WORKERS, " or auto");
        return count == null ? null : OptionalInt.of(count.intValue());
    }

    private IpPrefix linkPool(YamlNode.MapNode root) {
        YamlNode node = in.value(root, "link_pool");
        IpPrefix pool = node == null ? IpPrefix.parseWithLength(DEFAULT_LINK_POOL) : prefix(node);
        if (pool != null && (!pool.isIpv4() || pool.prefixLength() > 30)) {
            in.error(node, pool + " cannot hold worker links: it must be an IPv4 prefix of /30 or shorter (e.g. 10.14.0.0/24 holds 64 workers)");
            return null;
        }
        return pool;
    }

    /** A prefix: ADDRESS/LENGTH without host bits. */
    private IpPrefix prefix(YamlNode node) {
        String text = in.textOf(node);
        if (text == null) {
            return null;
        }
        try {
            IpPrefix prefix = IpPrefix.parseWithLength(text);
            if (!prefix.isNetworkAddress()) {
                in.error(node, text + " has host bits set (did you mean " + prefix.network() + "?)");
                return null;
            }
            return prefix;
        } catch (IllegalArgumentException e) {
            in.error(node, e.getMessage());
            return null;
        }
    }

    /** worker_cpus: [2, 3, 4]: the CPUs of worker 0, 1, 2 … instead of the automatic plan; [] when unset. */
    private List<Integer> workerCpus(YamlNode.MapNode root) {
        if (in.value(root, "worker_cpus") == null) {
            return List.of();
        }
        List<YamlNode> items = in.list(root, "worker_cpus", "worker_cpus: [2, 3]");
        if (items == null) {
            return null;
        }
        List<Integer> cpus = new ArrayList<>();
        for (YamlNode item : items) {
            Long cpu = in.integerOf(item, 0, 4095, "");
            cpus.add(cpu == null ? null : cpu.intValue());
        }
        return cpus.contains(null) ? null : List.copyOf(cpus);
    }

    private List<IpPrefix> prefixes(YamlNode.MapNode map, String key, String example) {
        List<YamlNode> items = in.list(map, key, example);
        if (items == null) {
            return null;
        }
        List<IpPrefix> prefixes = new ArrayList<>();
        for (YamlNode item : items) {
            prefixes.add(prefix(item));
        }
        return prefixes.contains(null) ? null : prefixes;
    }

    private String tunPrefix(YamlNode.MapNode root) {
        String prefix = in.text(root, "tun_prefix", null);
        if (prefix == null) {
            return in.value(root, "tun_prefix") == null ? DEFAULT_TUN_PREFIX : null;
        }
        if (!TUN_PREFIX.matcher(prefix).matches() || prefix.length() > MAX_INTERFACE_NAME - 1) {
            in.error(in.value(root, "tun_prefix"), "'" + prefix + "' is not a usable TUN name prefix (1.." + (MAX_INTERFACE_NAME - 1)
                    + " of a-z, A-Z, 0-9, '_' and '-'; the worker number is appended)");
            return null;
        }
        return prefix;
    }

    private SiteConfig.Floating floating(YamlNode.MapNode root) {
        YamlNode.MapNode floating = section(root, "floating", "the floating: section with this site's floating address, e.g. address: 10.0.55.1/32");
        if (floating == null) {
            return null;
        }
        IpPrefix address = hostAddress(floating, "address", "this site's floating address, e.g. address: 10.0.55.1/32");
        String name = in.text(floating, "interface", null);
        if (name == null && in.value(floating, "interface") == null) {
            name = DEFAULT_FLOATING_INTERFACE;
        } else if (name != null && (!INTERFACE_NAME.matcher(name).matches() || name.length() > MAX_INTERFACE_NAME || name.equals(".") || name.equals(".."))) {
            in.error(in.value(floating, "interface"), "'" + name + "' is not a Linux interface name (1.." + MAX_INTERFACE_NAME + " of a-z, A-Z, 0-9, '_', '.' and '-')");
            name = null;
        }
        return address == null || name == null ? null : new SiteConfig.Floating(address, name);
    }

    /** A single address, written as a /32 (/128) or bare. */
    private IpPrefix hostAddress(YamlNode.MapNode map, String key, String requiredWhat) {
        String text = in.text(map, key, requiredWhat);
        if (text == null) {
            return null;
        }
        YamlNode node = in.value(map, key);
        try {
            IpPrefix address = IpPrefix.parse(text);
            if (!address.isHost()) {
                in.error(node, text + " is not a single address: a floating address is a /" + address.maxPrefixLength()
                        + " (write " + IpPrefix.host(address.address()) + ")");
                return null;
            }
            return address;
        } catch (IllegalArgumentException e) {
            in.error(node, e.getMessage());
            return null;
        }
    }

    private SiteConfig.Remote remote(YamlNode.MapNode root) {
        YamlNode.MapNode remote = section(root, "remote", "the remote: section with the other site's floating_address (and its LAN prefixes)");
        if (remote == null) {
            return null;
        }
        IpPrefix floating = hostAddress(remote, "floating_address", "the other site's floating address, e.g. floating_address: 10.0.55.2/32");
        List<IpPrefix> prefixes = prefixes(remote, "prefixes", "prefixes: [192.168.20.0/24]");
        return floating == null || prefixes == null ? null : new SiteConfig.Remote(floating, prefixes);
    }

    private OptionalInt mtu(YamlNode.MapNode root) {
        YamlNode node = in.value(root, "mtu");
        if (node == null || node instanceof YamlNode.ScalarNode s && s.kind() == YamlNode.ScalarKind.STRING && s.text().strip().equals("auto")) {
            return OptionalInt.empty();
        }
        Long mtu = in.integerOf(node, MIN_MTU, MAX_MTU, " or auto");
        return mtu == null ? null : OptionalInt.of(mtu.intValue());
    }

    private SiteConfig.Health health(YamlNode.MapNode root) {
        YamlNode.MapNode health = section(root, "health", null);
        if (health == null) {
            return null;
        }
        Long interval = in.integer(health, "keepalive_interval_ms", 50, 10_000, (long) DEFAULT_KEEPALIVE_INTERVAL_MS);
        Long deadAfter = in.integer(health, "dead_after_ms", 1, 600_000, interval == null ? null : 3 * interval);
        Long backoff = in.integer(health, "restart_backoff_max_s", 1, 3600, (long) DEFAULT_RESTART_BACKOFF_MAX_S);
        if (interval == null || deadAfter == null || backoff == null) {
            return null;
        }
        if (deadAfter <= interval) {
            in.error(in.value(health, "dead_after_ms"), "must exceed keepalive_interval_ms (" + interval
                    + "), or a path is declared dead between two keepalives (3 x the interval is the default)");
            return null;
        }
        return new SiteConfig.Health(interval.intValue(), deadAfter.intValue(), backoff.intValue());
    }

    private SiteConfig.Metrics metrics(YamlNode.MapNode root) {
        YamlNode.MapNode metrics = section(root, "metrics", null);
        if (metrics == null) {
            return null;
        }
        YamlNode node = in.value(metrics, "listen");
        if (node == null) {
            return new SiteConfig.Metrics(Optional.of(HostPort.parse(DEFAULT_METRICS_LISTEN, 0)));
        }
        // YAML 1.1 reads a bare off as the boolean false
        if (node instanceof YamlNode.ScalarNode s && (s.kind() == YamlNode.ScalarKind.BOOLEAN && s.text().equals("false")
                || s.kind() == YamlNode.ScalarKind.STRING && s.text().strip().equals("off"))) {
            return new SiteConfig.Metrics(Optional.empty());
        }
        String text = in.textOf(node);
        if (text == null) {
            return null;
        }
        try {
            return new SiteConfig.Metrics(Optional.of(HostPort.parse(text, 0)));
        } catch (IllegalArgumentException e) {
            in.error(node, e.getMessage() + " (or write off to serve no metrics)");
            return null;
        }
    }

    private Path stateDir(YamlNode.MapNode root, String site) {
        String text = in.text(root, "state_dir", null);
        if (text == null) {
            return in.value(root, "state_dir") == null && site != null ? Path.of("/run/braid", site) : null;
        }
        Path dir = Path.of(text);
        if (!dir.isAbsolute()) {
            in.error(in.value(root, "state_dir"), "'" + text + "' is not an absolute path (e.g. /run/braid/" + (site == null ? "SITE" : site) + ")");
            return null;
        }
        return dir.normalize();
    }

    private static Map<String, List<String>> schema() {
        Map<String, List<String>> schema = new LinkedHashMap<>();
        schema.put("", List.of("site", "private_key_file", "peer", "listen", "workers", "allow_oversubscription", "worker_cpus", "link_pool",
                "tun_prefix", "floating", "remote", "local_prefixes", "mtu", "underlay_mtu", "health", "metrics", "state_dir",
                "nexthop_id_base"));
        schema.put("peer", List.of("public_key", "endpoint", "preshared_key_file"));
        schema.put("listen", List.of("base_port"));
        schema.put("floating", List.of("address", "interface"));
        schema.put("remote", List.of("floating_address", "prefixes"));
        schema.put("health", List.of("keepalive_interval_ms", "dead_after_ms", "restart_backoff_max_s"));
        schema.put("metrics", List.of("listen"));
        return Collections.unmodifiableMap(schema);
    }
}
