package io.wxpush.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds the repository root from the test's working directory and reads its files as text, YAML or JSON. */
final class RepoFiles {
  static final Path ROOT = findRoot();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private RepoFiles() {}

  /** The directory holding both the root pom.xml and docker-compose.yml (Maven runs tests in deploy-check/). */
  private static Path findRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("deploy-check"))) return dir;
    }
    throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String text(String relative) {
    try {
      return Files.readString(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + relative, e);
    }
  }

  static JsonNode yaml(String relative) {
    try {
      return YAML.readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + relative + " as YAML", e);
    }
  }

  /** Every non-empty document of a multi-document YAML file. */
  static List<JsonNode> yamlDocuments(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    try (JsonParser parser = new YAMLFactory().createParser(file.toFile());
        MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && !doc.isEmpty()) docs.add(doc);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + ROOT.relativize(file) + " as YAML", e);
    }
    return docs;
  }

  static JsonNode json(String relative) {
    try {
      return JSON.readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + relative + " as JSON", e);
    }
  }

  /** Regular files under a directory, recursively, whose names end with one of the suffixes, sorted. */
  static List<Path> filesUnder(String relative, String... suffixes) {
    try (Stream<Path> walk = Files.walk(path(relative))) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + relative, e);
    }
  }

  static String relative(Path file) {
    return ROOT.relativize(file).toString();
  }
}
