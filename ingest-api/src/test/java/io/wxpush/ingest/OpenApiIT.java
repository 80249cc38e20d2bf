package io.wxpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.wxpush.config.Env;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /openapi.json} is a valid OpenAPI 3.1 document (read by swagger-parser, the reference
 * parser) and describes exactly the routes ingest-api serves: a route without an entry, or an
 * entry without a route, fails here. The console's and the docs page's files come from the jar.
 */
@ExtendWith(RealServices.class)
class OpenApiIT {
  private static final String APP = "wxdoc1";

  private static HttpResponse<String> get(IngestApi api, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void theDocumentValidatesAndCoversEveryRouteAndNothingElse(TestEnv env) throws Exception {
    Map<String, String> vars = new HashMap<>(env.processEnv(Map.of("WECHAT_APPS", APP + ":doc-app-secret",
        "SESSION_SIGNING_KEY", "signing-key-for-doc-tests-0123456789", "PUSH_API_KEYS", "doc-api-key-0123456789abcdef", "HTTP_PORT", "0")));
    try (IngestApi api = IngestApi.builder(IngestConfig.read(new Env(vars))).start()) {
      HttpResponse<String> doc = get(api, "/openapi.json");
      assertThat(doc.statusCode()).isEqualTo(200);
      assertThat(doc.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      ParseOptions options = new ParseOptions();
      options.setResolve(true);
      SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc.body(), null, options);
      assertThat(parsed.getMessages()).as("the parser's complaints").isEmpty();
      assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1");

      Set<String> documented = new TreeSet<>();
      parsed.getOpenAPI().getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
          .forEach(method -> documented.add(method.name() + " " + path)));
      Set<String> served = new TreeSet<>();
      for (String route : api.routes()) {
        String path = route.substring(route.indexOf(' ') + 1);
        // the console's and the docs page's own files are not API routes; their pages are
        boolean asset = (path.startsWith("/console/") || path.startsWith("/docs/"));
        if (!asset) served.add(route);
      }
      assertThat(documented).as("documented routes").containsExactlyInAnyOrderElementsOf(served);
      // every operation says what it answers, errors included
      parsed.getOpenAPI().getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
        assertThat(op.getResponses()).as(method + " " + path).isNotEmpty();
        assertThat(op.getOperationId()).as(method + " " + path).isNotBlank();
      }));

      for (String page : new String[] {"/console", "/docs"}) {
        HttpResponse<String> html = get(api, page);
        assertThat(html.statusCode()).as(page).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      }
      assertThat(get(api, "/console").headers().firstValue("Content-Security-Policy")).hasValueSatisfying(c -> assertThat(c).contains("default-src 'self'"));
      for (String file : new String[] {"/console/app.js", "/console/app.css", "/console/vendor/chart.umd.js", "/docs/swagger-ui-bundle.js",
          "/docs/swagger-ui.css", "/docs/docs.js"}) {
        HttpResponse<String> f = get(api, file);
        assertThat(f.statusCode()).as(file).isEqualTo(200);
        assertThat(f.body()).as(file).hasSizeGreaterThan(100);
      }
      assertThat(get(api, "/console/other.js").statusCode()).isEqualTo(404);
    }
  }
}
