package dev.braid.ecmp;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A nexthop object as the kernel has it (RTM_NEWNEXTHOP in a dump): either a single nexthop
 * (device, optional gateway) or a group of other nexthops.
 *
 * @param id         nexthop id
 * @param family     AF_INET (2), AF_INET6 (10), or AF_UNSPEC (0) for groups
 * @param protocol   who installed it (Braid: {@link Netlink#RTPROT_BRAID})
 * @param flags      RTNH_F_* (RTNH_F_DEAD = 1, RTNH_F_LINKDOWN = 16)
 * @param ifindex    device of a single nexthop, 0 for groups
 * @param ifname     name of that device, empty when unknown
 * @param gateway    gateway of a single nexthop, empty for device nexthops and groups
 * @param groupType  NONE for single nexthops
 * @param members    group members in the kernel's order, empty for single nexthops
 * @param resilient  bucket count and timers of a resilient group
 */
public record NexthopInfo(int id, int family, int protocol, int flags, int ifindex, String ifname,
                          Optional<java.net.InetAddress> gateway, GroupType groupType, List<Member> members,
                          Optional<ResilientParams> resilient) {

    public enum GroupType { NONE, MULTIPATH, RESILIENT }

    /** A member of a group; the kernel reports weights 1..256. */
    public record Member(int id, int weight) {
    }

    public NexthopInfo {
        members = List.copyOf(members);
    }

    public boolean isGroup() {
        return groupType != GroupType.NONE;
    }

    public List<Integer> memberIds() {
        return members.stream().map(Member::id).toList();
    }

    /** Formatted like {@code ip nexthop show}, for status output. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("id ").append(id);
        if (isGroup()) {
            sb.append(" group ").append(members.stream()
                    .map(m -> m.weight() == 1 ? String.valueOf(m.id()) : m.id() + "," + m.weight())
                    .collect(Collectors.joining("/")));
            if (groupType == GroupType.RESILIENT) {
                sb.append(" type resilient");
                resilient.ifPresent(r -> sb.append(' ').append(r));
            }
        } else {
            gateway.ifPresent(g -> sb.append(" via ").append(IpPrefix.formatAddress(g)));
            sb.append(" dev ").append(ifname.isEmpty() ? "#" + ifindex : ifname);
            if (family == Rtnl.AF_INET6) {
                sb.append(" (ipv6)");
            }
        }
        sb.append(" proto ").append(protocol);
        if ((flags & Rtnl.RTNH_F_DEAD) != 0) {
            sb.append(" dead");
        }
        if ((flags & Rtnl.RTNH_F_LINKDOWN) != 0) {
            sb.append(" linkdown");
        }
        return sb.toString();
    }
}
