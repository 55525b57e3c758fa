package io.creditproxy.webhook;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The address blocks a tenant's webhook must never reach: every entry of IANA's IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and its updates; as published in 2025), plus the blocks of the address-space registries that are
 * not unicast on the public internet (IPv4 multicast; in IPv6, everything outside global unicast 2000::/3, which covers
 * IPv4-compatible ::/96, multicast ff00::/8 and the deprecated site-local fec0::/10).
 * Blocks that IANA marks "globally reachable" (6to4, Teredo, NAT64, AS112, the anycast relays...) are refused too: they
 * embed or relay to other addresses, and no webhook receiver has a reason to live there. Entries nested in a larger
 * one are listed anyway, so that the registry can be checked line by line. CIDR matching is the ipaddress library's.
 */
final class SpecialPurposeAddresses {

    /** One registry entry: the block and the registry's name for it. */
    record Block(String cidr, String name, IPAddress block) {
        static Block of(String cidr, String name) {
            return new Block(cidr, name, new IPAddressString(cidr).getAddress().toPrefixBlock());
        }
    }

    /** IANA IPv4 Special-Purpose Address Registry, and multicast from the IPv4 Address Space Registry. */
    static final List<Block> IPV4 = List.of(
            Block.of("0.0.0.0/8", "\"This network\""),
            Block.of("0.0.0.0/32", "\"This host on this network\""),
            Block.of("10.0.0.0/8", "Private-Use"),
            Block.of("100.64.0.0/10", "Shared Address Space"),
            Block.of("127.0.0.0/8", "Loopback"),
            Block.of("169.254.0.0/16", "Link Local"),
            Block.of("172.16.0.0/12", "Private-Use"),
            Block.of("192.0.0.0/24", "IETF Protocol Assignments"),
            Block.of("192.0.0.0/29", "IPv4 Service Continuity Prefix"),
            Block.of("192.0.0.8/32", "IPv4 dummy address"),
            Block.of("192.0.0.9/32", "Port Control Protocol Anycast"),
            Block.of("192.0.0.10/32", "Traversal Using Relays around NAT Anycast"),
            Block.of("192.0.0.170/32", "NAT64/DNS64 Discovery"),
            Block.of("192.0.0.171/32", "NAT64/DNS64 Discovery"),
            Block.of("192.0.2.0/24", "Documentation (TEST-NET-1)"),
            Block.of("192.31.196.0/24", "AS112-v4"),
            Block.of("192.52.193.0/24", "AMT"),
            Block.of("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)"),
            Block.of("192.168.0.0/16", "Private-Use"),
            Block.of("192.175.48.0/24", "Direct Delegation AS112 Service"),
            Block.of("198.18.0.0/15", "Benchmarking"),
            Block.of("198.51.100.0/24", "Documentation (TEST-NET-2)"),
            Block.of("203.0.113.0/24", "Documentation (TEST-NET-3)"),
            Block.of("224.0.0.0/4", "Multicast"),
            Block.of("240.0.0.0/4", "Reserved"),
            Block.of("255.255.255.255/32", "Limited Broadcast"));

    /** IANA IPv6 Special-Purpose Address Registry, and the non-unicast blocks of the IPv6 Address Space Registry. */
    static final List<Block> IPV6 = List.of(
            Block.of("::1/128", "Loopback Address"),
            Block.of("::/128", "Unspecified Address"),
            Block.of("::/96", "IPv4-compatible Address (deprecated)"),
            Block.of("::ffff:0:0/96", "IPv4-mapped Address"),
            Block.of("64:ff9b::/96", "IPv4-IPv6 Translation (NAT64)"),
            Block.of("64:ff9b:1::/48", "IPv4-IPv6 Translation (local-use NAT64)"),
            Block.of("100::/64", "Discard-Only Address Block"),
            Block.of("100:0:0:1::/64", "Dummy IPv6 Prefix"),
            Block.of("2001::/23", "IETF Protocol Assignments"),
            Block.of("2001::/32", "TEREDO"),
            Block.of("2001:1::1/128", "Port Control Protocol Anycast"),
            Block.of("2001:1::2/128", "Traversal Using Relays around NAT Anycast"),
            Block.of("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast"),
            Block.of("2001:2::/48", "Benchmarking"),
            Block.of("2001:3::/32", "AMT"),
            Block.of("2001:4:112::/48", "AS112-v6"),
            Block.of("2001:10::/28", "Deprecated (previously ORCHID)"),
            Block.of("2001:20::/28", "ORCHIDv2"),
            Block.of("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix"),
            Block.of("2001:db8::/32", "Documentation"),
            Block.of("2002::/16", "6to4"),
            Block.of("2620:4f:8000::/48", "Direct Delegation AS112 Service"),
            Block.of("3fff::/20", "Documentation"),
            Block.of("5f00::/16", "Segment Routing (SRv6) SIDs"),
            Block.of("fc00::/7", "Unique-Local"),
            Block.of("fe80::/10", "Link-Local Unicast"),
            Block.of("fec0::/10", "Site-Local (deprecated)"),
            Block.of("ff00::/8", "Multicast"));

    /** IPv6 unicast on the public internet is allocated from this block only (IANA IPv6 Address Space Registry). */
    static final Block IPV6_GLOBAL_UNICAST = Block.of("2000::/3", "Global Unicast");

    private SpecialPurposeAddresses() {
    }

    /**
     * Why the proxy must not call this address ("in 192.0.2.0/24 (Documentation (TEST-NET-1))"), or null when it is a
     * public unicast address. The most specific entry names it.
     */
    static String refusal(InetAddress address) {
        byte[] bytes = address.getAddress();
        // Java hands an IPv4-mapped literal (::ffff:a.b.c.d) over as the Inet4Address it carries: checked as IPv4
        IPAddress ip = address instanceof Inet4Address ? new IPv4Address(bytes) : new IPv6Address(bytes);
        Block match = null;
        for (Block b : address instanceof Inet4Address ? IPV4 : IPV6) {
            if (b.block().contains(ip) && (match == null || b.block().getPrefixLength() > match.block().getPrefixLength())) {
                match = b;
            }
        }
        if (match != null) {
            return "in " + match.cidr() + " (" + match.name() + ")";
        }
        if (!(address instanceof Inet4Address) && !IPV6_GLOBAL_UNICAST.block().contains(ip)) {
            return "outside 2000::/3, the only global unicast block";
        }
        return null;
    }
}
