package io.wxpush.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One HTTP/1.1 connection over a plain socket, for tests that need control no HTTP client gives:
 * sending a request's headers and its body at different times, then another request on the same
 * connection. Responses are read whole (Content-Length bodies only) and returned as text.
 */
public final class RawHttpConnection implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  private RawHttpConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  public static RawHttpConnection open(int port) {
    try {
      return new RawHttpConnection(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code bytes} and flushes. */
  public RawHttpConnection write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Writes {@code text} as US-ASCII and flushes. */
  public RawHttpConnection write(String text) throws IOException {
    return write(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** The next response if its first byte comes within {@code wait}; empty if none does. */
  public Optional<String> responseWithin(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    int first;
    try {
      first = in.read();
    } catch (SocketTimeoutException none) {
      return Optional.empty();
    }
    socket.setSoTimeout(10_000);
    return Optional.of(readResponse(first));
  }

  /** The next response (10 s at most); an {@link IOException} if the server closes first. */
  public String response() throws IOException {
    socket.setSoTimeout(10_000);
    return readResponse(in.read());
  }

  private String readResponse(int first) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b = first;
    while (true) {
      if (b < 0) throw new IOException("connection closed by the server after: " + head.toString(StandardCharsets.US_ASCII));
      head.write(b);
      if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) break;
      b = in.read();
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
    }
    byte[] content = in.readNBytes(length);
    if (content.length < length) throw new IOException("connection closed mid-body after: " + headers);
    return headers + new String(content, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
