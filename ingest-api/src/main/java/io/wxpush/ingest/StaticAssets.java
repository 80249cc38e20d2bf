package io.wxpush.ingest;

import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files ingest-api serves from its jar: the operator console ({@code /console}), the OpenAPI
 * document ({@code /openapi.json}) and its interactive page ({@code /docs}), with the libraries
 * they use taken from webjars on the classpath (Chart.js, Swagger UI): nothing is fetched from the
 * internet at run time. Only the files listed here are served.
 */
public final class StaticAssets {
  /** Route path → classpath resource ({@code webjar:<artifact>/<file>} for a webjar's file, its version found at start). */
  static final Map<String, String> FILES = Map.ofEntries(
      Map.entry("/console", "console/index.html"),
      Map.entry("/console/app.js", "console/app.js"),
      Map.entry("/console/messages.js", "console/messages.js"),
      Map.entry("/console/format.js", "console/format.js"),
      Map.entry("/console/push-pages.js", "console/push-pages.js"),
      Map.entry("/console/new-push.js", "console/new-push.js"),
      Map.entry("/console/app-pages.js", "console/app-pages.js"),
      Map.entry("/console/app.css", "console/app.css"),
      Map.entry("/console/vendor/chart.umd.js", "webjar:chart.js/dist/chart.umd.js"),
      Map.entry("/openapi.json", "openapi.json"),
      Map.entry("/docs", "docs/index.html"),
      Map.entry("/docs/docs.js", "docs/docs.js"),
      Map.entry("/docs/swagger-ui-bundle.js", "webjar:swagger-ui/swagger-ui-bundle.js"),
      Map.entry("/docs/swagger-ui.css", "webjar:swagger-ui/swagger-ui.css"));

  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "json", "application/json");

  /** The console may load only what it is served from here (no inline script, no other origin). */
  private static final String CONSOLE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
      + " connect-src 'self'; frame-ancestors 'none'";

  private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

  /** Serves the file of the request's path. */
  public void serve(Context ctx) {
    String path = ctx.path().endsWith("/") && ctx.path().length() > 1 ? ctx.path().substring(0, ctx.path().length() - 1) : ctx.path();
    String resource = FILES.get(path);
    if (resource == null) throw ApiException.notFound("no such file: " + ctx.path());
    byte[] body = loaded.computeIfAbsent(resource, StaticAssets::read);
    String ext = resource.substring(resource.lastIndexOf('.') + 1);
    ctx.contentType(TYPES.getOrDefault(ext, "application/octet-stream"));
    ctx.header("X-Content-Type-Options", "nosniff");
    if (path.startsWith("/console")) ctx.header("Content-Security-Policy", CONSOLE_POLICY);
    ctx.header("Cache-Control", resource.startsWith("webjar:") ? "public, max-age=86400" : "no-cache");
    ctx.result(body);
  }

  static byte[] read(String resource) {
    String path = resource;
    if (resource.startsWith("webjar:")) {
      String rest = resource.substring("webjar:".length());
      String artifact = rest.substring(0, rest.indexOf('/'));
      path = "META-INF/resources/webjars/" + artifact + "/" + webjarVersion(artifact) + rest.substring(artifact.length());
    }
    try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing from the build: " + path);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The version of a webjar on the classpath, from its Maven metadata. */
  static String webjarVersion(String artifact) {
    for (String group : new String[] {"org.webjars.npm", "org.webjars"}) {
      try (InputStream in = StaticAssets.class.getClassLoader()
          .getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
        if (in == null) continue;
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("webjar " + artifact + " is not on the classpath");
  }
}
