package io.wxpush.push;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which {@code callbackUrl}s wxpush will POST to: absolute {@code http(s)} URLs of at most 2,048
 * characters, without user info, whose host is not a loopback, link-local, private or otherwise
 * internal address (SSRF) unless a deployment allows those. Checked on the literal at acceptance,
 * and on every address the host resolves to before each delivery.
 */
public final class CallbackUrls {
  private CallbackUrls() {}

  /** Why {@code url} is refused, or null when it is acceptable as written (before resolving its host). */
  public static String problem(String url, boolean allowPrivate) {
    if (url.length() > 2048) return "is longer than 2048 characters";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a URL";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) return "must be an http or https URL";
    if (uri.getHost() == null || uri.getHost().isEmpty()) return "must name a host";
    if (uri.getRawUserInfo() != null) return "must not carry user info";
    if (allowPrivate) return null;
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".internal")) return "must not name a local host";
    if (isIpLiteral(host)) {
      try {
        if (isInternal(InetAddress.getByName(host.replace("[", "").replace("]", "")))) return "must not name a loopback, link-local or private address";
      } catch (UnknownHostException e) {
        return "is not a URL";
      }
    }
    return null;
  }

  /** True for addresses a callback must not reach: loopback, link-local, site-local (private), any-local, multicast, IPv6 unique-local. */
  public static boolean isInternal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) return true;
    byte[] b = a.getAddress();
    if (b.length == 16 && (b[0] & 0xfe) == 0xfc) return true; // fc00::/7
    if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) return true; // 100.64.0.0/10 (carrier-grade NAT)
    if (b.length == 4 && (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254) return true; // cloud metadata, link-local
    return false;
  }

  private static boolean isIpLiteral(String host) {
    return host.startsWith("[") || host.matches("[0-9.]+") || host.contains(":");
  }
}
