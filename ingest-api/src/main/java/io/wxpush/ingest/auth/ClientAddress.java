package io.wxpush.ingest.auth;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Who a request comes from, for per-client limits. The TCP peer, unless it is one of
 * {@code TRUSTED_PROXIES}: then {@code X-Forwarded-For} is read from the right, skipping trusted
 * hops, and the first address no trusted proxy vouches for is the client (a client can prepend
 * anything it likes to the header; only what our own proxies appended counts). IPv6 clients are
 * grouped by their /64, the block one subscriber gets. Immutable, thread-safe.
 */
public final class ClientAddress {
  private final List<Cidr> trusted;

  private ClientAddress(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** No trusted proxies: the peer is the client. */
  public static ClientAddress direct() {
    return new ClientAddress(List.of());
  }

  /**
   * Parses {@code TRUSTED_PROXIES}: CIDRs or single addresses separated by commas ({@code 10.0.0.0/8,
   * fd00::/8, 192.0.2.7}); blank for none. Throws {@link IllegalArgumentException} naming the bad entry.
   */
  public static ClientAddress parse(String spec) {
    List<Cidr> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (!p.isEmpty()) out.add(Cidr.parse(p));
    }
    return new ClientAddress(out);
  }

  /** The client key of the request: an address, or an IPv6 /64 as {@code 2001:db8:1:2::/64}. */
  public String of(Context ctx) {
    return of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
  }

  String of(String peer, String forwardedFor) {
    Optional<InetAddress> hop = literal(peer);
    if (hop.isEmpty()) return peer == null ? "unknown" : peer;
    InetAddress client = hop.get();
    if (isTrusted(client) && forwardedFor != null) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        Optional<InetAddress> next = literal(hops[i].trim());
        if (next.isEmpty()) break; // garbage a client wrote: the last address we trust to have seen is the client
        client = next.get();
        if (!isTrusted(client)) break;
      }
    }
    return key(client);
  }

  private boolean isTrusted(InetAddress a) {
    for (Cidr c : trusted) if (c.contains(a)) return true;
    return false;
  }

  private static String key(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 4) return a.getHostAddress();
    byte[] prefix = Arrays.copyOf(b, 16);
    Arrays.fill(prefix, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An IP literal (v4 or v6, brackets and a {@code :port} of v4 allowed); never a DNS lookup. */
  static Optional<InetAddress> literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) return Optional.empty();
    String t = text;
    if (t.startsWith("[")) {
      int end = t.indexOf(']');
      if (end < 0) return Optional.empty();
      t = t.substring(1, end);
    } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':') && t.indexOf('.') > 0) {
      t = t.substring(0, t.indexOf(':')); // 192.0.2.1:5678
    }
    int zone = t.indexOf('%');
    if (zone >= 0) t = t.substring(0, zone);
    boolean v4 = t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByName(t)); // a literal: parsed, not resolved
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** One {@code address/bits} block. */
  record Cidr(byte[] network, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      InetAddress a = literal(addr).orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not an IP address or CIDR"));
      int max = a.getAddress().length * 8;
      int bits = max;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > max) throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + max);
      }
      return new Cidr(a.getAddress(), bits);
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) return false;
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((b[i / 8] & mask) != (network[i / 8] & mask)) return false;
      }
      return true;
    }
  }
}
