package dev.braid.ecmp;

import java.util.Optional;

/**
 * Where {@link SiteRouting#placeFloating} put the site's floating address.
 *
 * @param ifname            the link that carries it (the dummy asked for, or "lo")
 * @param address           the address with its prefix
 * @param loopbackFallback  true when the kernel has no dummy link type and lo was used instead
 * @param warning           for the operator, present when the fallback was taken
 */
public record FloatingPlacement(String ifname, IpPrefix address, boolean loopbackFallback, Optional<String> warning) {
}
