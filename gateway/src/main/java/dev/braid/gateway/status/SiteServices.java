package dev.braid.gateway.status;

import java.net.InetAddress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.braid.gateway.config.HostPort;
import dev.braid.gateway.supervisor.Supervisor;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What a running site offers besides routing: the Prometheus /metrics endpoint on the configured
 * address (text and OpenMetrics, by the scraper's Accept header) and the control socket for
 * `braid status`. Both start once the site is up and stop with it.
 */
public final class SiteServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiteServices.class);

    private final ControlSocket control;
    private final HTTPServer metrics;

    private SiteServices(ControlSocket control, HTTPServer metrics) {
        this.control = control;
        this.metrics = metrics;
    }

    /** Starts the services when the supervisor has set the site up; they close when it stops. */
    public static void attach(Supervisor supervisor) {
        supervisor.onStarted(s -> {
            try {
                SiteServices services = start(s);
                s.onStopping(services::close);
            } catch (Exception e) {
                LOG.error("could not start metrics or the control socket: {}", e.toString());
            }
        });
    }

    static SiteServices start(Supervisor supervisor) throws Exception {
        ControlSocket control = ControlSocket.open(supervisor.plan().stateDir(), supervisor::snapshot);
        HTTPServer http = null;
        if (supervisor.plan().metrics().enabled()) {
            HostPort listen = supervisor.plan().metrics().listen().orElseThrow();
            PrometheusRegistry registry = new PrometheusRegistry();
            JvmMetrics.builder().register(registry);
            registry.register(new SiteMetrics(supervisor::snapshot));
            try {
                http = HTTPServer.builder().inetAddress(InetAddress.getByName(listen.host())).port(listen.port())
                        .registry(registry).buildAndStart();
                LOG.info("metrics on http://{}/metrics", listen.hostForUri() + ":" + listen.port());
            } catch (java.io.IOException e) {
                control.close();
                throw new java.io.IOException("metrics listen " + listen.host() + ":" + listen.port() + ": " + e.getMessage(), e);
            }
        }
        return new SiteServices(control, http);
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        control.close();
    }
}
