package io.wxpush.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback for one upstream server (Redis, wechat-sim, …) that delays every reply
 * by a settable amount — a server that answers slowly, while requests reach it at once — and
 * records when each chunk of request bytes arrived ({@link System#nanoTime()}), so a test can
 * compare what reached the server with its own clock. Each connection keeps its bytes in order.
 * Thread-safe; the caller closes it.
 */
public final class DelayProxy implements AutoCloseable {
  private record Chunk(long dueNanos, byte[] bytes) {}

  /** One client's connection: how many of its requests await a slow reply. */
  private static final class Conn {
    final AtomicInteger slowReplies = new AtomicInteger();
  }

  private record Watch(byte[] needle, CountDownLatch seen) {}

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Long> requestTimes = new CopyOnWriteArrayList<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private volatile long replyDelayNanos;
  private volatile byte[] slowNeedle;
  private volatile long slowDelayNanos;
  private final Object gate = new Object();
  private boolean holding;

  private DelayProxy(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("delay-proxy-accept").start(this::accept);
  }

  /** A proxy to {@code host:port}, replies not delayed until {@link #replyDelay} says so. */
  public static DelayProxy start(String host, int port) throws IOException {
    return new DelayProxy(host, port);
  }

  /** The proxy's own port on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every reply byte from now on reaches the client {@code delay} after it left the server. */
  public void replyDelay(Duration delay) {
    replyDelayNanos = delay.toNanos();
  }

  /**
   * From now on, the reply to a request that contains {@code text} reaches its client {@code
   * delay} late (on top of {@link #replyDelay}): one slow answer among fast ones. Matched per
   * connection, one reply chunk per such request: meant for plain request/answer connections.
   */
  public void delayRepliesTo(String text, Duration delay) {
    slowDelayNanos = delay.toNanos();
    slowNeedle = text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * While {@code hold} is true, request bytes are taken from clients but not forwarded (a server
   * that stalls, or a network that does): they reach the server, in order, once it is false.
   * Bytes of a client that hung up meanwhile are forwarded too.
   */
  public void holdRequests(boolean hold) {
    synchronized (gate) {
      holding = hold;
      gate.notifyAll();
    }
  }

  private void awaitNotHeld() throws InterruptedException {
    synchronized (gate) {
      while (holding) gate.wait();
    }
  }

  /** When each chunk of request bytes arrived from a client, in {@link System#nanoTime()}. */
  public List<Long> requestTimes() {
    return new ArrayList<>(requestTimes);
  }

  /**
   * Waits for request bytes that contain {@code text} (in one chunk) to arrive after this call.
   *
   * @return the arrival time ({@link System#nanoTime()} read just after), or -1 if none came within {@code timeout}
   */
  public long awaitRequestContaining(String text, Duration timeout) throws InterruptedException {
    Watch w = new Watch(text.getBytes(StandardCharsets.UTF_8), new CountDownLatch(1));
    watches.add(w);
    try {
      return w.seen().await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? System.nanoTime() : -1;
    } finally {
      watches.remove(w);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        Conn conn = new Conn();
        Thread.ofVirtual().start(() -> requests(client, upstream, conn));
        BlockingQueue<Chunk> replies = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> read(upstream, replies, conn));
        Thread.ofVirtual().start(() -> delayed(replies, client, upstream));
      } catch (IOException e) {
        if (server.isClosed()) return;
      }
    }
  }

  /** Client to server, each chunk's arrival recorded (and matched against the watches), then forwarded unless held. */
  private void requests(Socket client, Socket upstream, Conn conn) {
    BlockingQueue<Chunk> out = new LinkedBlockingQueue<>();
    Thread.ofVirtual().start(() -> forward(out, upstream, client));
    try (InputStream in = client.getInputStream()) {
      byte[] buffer = new byte[16 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        requestTimes.add(System.nanoTime());
        byte[] chunk = Arrays.copyOf(buffer, n);
        byte[] slow = slowNeedle;
        if (slow != null && contains(chunk, slow)) conn.slowReplies.incrementAndGet();
        for (Watch w : watches) if (contains(chunk, w.needle())) w.seen().countDown();
        out.add(new Chunk(0, chunk));
      }
    } catch (IOException e) {
      // a side closed
    } finally {
      out.add(new Chunk(0, new byte[0])); // the end, after what is queued
    }
  }

  private void forward(BlockingQueue<Chunk> chunks, Socket upstream, Socket client) {
    try {
      OutputStream out = upstream.getOutputStream();
      while (true) {
        Chunk c = chunks.take();
        if (c.bytes().length == 0) return;
        awaitNotHeld();
        out.write(c.bytes());
        out.flush();
      }
      // the client hung up: the server gets everything it sent, then the end of it
    } catch (IOException | InterruptedException e) {
      // a side closed
    } finally {
      try {
        upstream.shutdownOutput();
      } catch (IOException e) {
        closeQuietly(upstream);
      }
    }
  }

  private void read(Socket upstream, BlockingQueue<Chunk> replies, Conn conn) {
    try (InputStream in = upstream.getInputStream()) {
      byte[] buffer = new byte[16 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        long delay = replyDelayNanos;
        if (conn.slowReplies.getAndUpdate(k -> Math.max(0, k - 1)) > 0) delay += slowDelayNanos;
        replies.add(new Chunk(System.nanoTime() + delay, Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      // a side closed
    } finally {
      replies.add(new Chunk(0, new byte[0])); // the end
    }
  }

  /** Server to client, each chunk held until it is due (its delay as set when it arrived); a client gone gets nothing more. */
  private void delayed(BlockingQueue<Chunk> replies, Socket client, Socket upstream) {
    boolean open = true;
    try {
      OutputStream out = client.getOutputStream();
      while (true) {
        Chunk c = replies.take();
        if (c.bytes().length == 0) return;
        long wait = c.dueNanos() - System.nanoTime();
        if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
        if (!open) continue;
        try {
          out.write(c.bytes());
          out.flush();
        } catch (IOException e) {
          open = false; // the server still gets what the client sent (see forward)
        }
      }
    } catch (IOException | InterruptedException e) {
      // a side closed
    } finally {
      closeQuietly(client);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) closeQuietly(s);
  }
}
