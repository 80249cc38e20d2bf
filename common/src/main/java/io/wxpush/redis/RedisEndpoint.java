package io.wxpush.redis;

import io.wxpush.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.HostAndPort;

/**
 * Where Redis is: one server ({@code redis://host:port}) or a cluster
 * ({@code redis-cluster://h1:p1,h2:p2}), with an optional password ({@code redis://:pw@host:port}).
 */
public record RedisEndpoint(boolean cluster, List<HostAndPort> nodes, Optional<Secret> password) {
  public RedisEndpoint {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) throw new IllegalArgumentException("names no host");
  }

  public static RedisEndpoint parse(String url) {
    boolean cluster;
    String rest;
    if (url.startsWith("redis://")) {
      cluster = false;
      rest = url.substring("redis://".length());
    } else if (url.startsWith("redis-cluster://")) {
      cluster = true;
      rest = url.substring("redis-cluster://".length());
    } else {
      throw new IllegalArgumentException("must start with redis:// or redis-cluster://");
    }
    Optional<Secret> password = Optional.empty();
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      String pw = userInfo.contains(":") ? userInfo.substring(userInfo.indexOf(':') + 1) : userInfo;
      if (!pw.isEmpty()) password = Optional.of(Secret.of(pw));
      rest = rest.substring(at + 1);
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) rest = rest.substring(0, slash);
    List<HostAndPort> nodes = new ArrayList<>();
    for (String node : rest.split(",")) {
      int colon = node.lastIndexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("host '" + node + "' has no :port");
      int port;
      try {
        port = Integer.parseInt(node.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port of '" + node + "' is not a number");
      }
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port of '" + node + "' is out of range");
      nodes.add(new HostAndPort(node.substring(0, colon), port));
    }
    if (!cluster && nodes.size() > 1) {
      throw new IllegalArgumentException("redis:// takes one host; use redis-cluster:// for several");
    }
    return new RedisEndpoint(cluster, nodes, password);
  }

  @Override
  public String toString() {
    return (cluster ? "redis-cluster://" : "redis://") + String.join(",", nodes.stream().map(HostAndPort::toString).toList());
  }
}
