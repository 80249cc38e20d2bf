package io.wxpush.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.http.ApiException;
import io.wxpush.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The role of a {@code PUSH_API_KEYS} entry ({@code key[=apps][@role]}) and what each role may do. */
class ApiKeyRolesTest {
  private static final String K1 = "key-one-0123456789abcdefgh";
  private static final String K2 = "key-two-0123456789abcdefgh";
  private static final String K3 = "key-three-0123456789abcdef";
  private static final String K4 = "key-four-0123456789abcdefg";

  private static List<ApiKey> parse(List<String> problems, String... entries) {
    return ApiKey.parseAll("PUSH_API_KEYS", Stream.of(entries).map(Secret::of).toList(), Set.of("wxa", "wxb"), problems);
  }

  @Test
  void anEntryWithoutARoleIsAnAdminSoTodaysKeysKeepWorking() {
    List<String> problems = new ArrayList<>();
    List<ApiKey> keys = parse(problems, K1, K2 + "=wxa");
    assertThat(problems).isEmpty();
    assertThat(keys).extracting(ApiKey::role).containsExactly(Role.ADMIN, Role.ADMIN);
    assertThat(keys.get(1).apps()).contains(Set.of("wxa"));
  }

  @Test
  void theRoleFollowsTheLastAtOfABareOrAScopedEntry() {
    List<String> problems = new ArrayList<>();
    List<ApiKey> keys = parse(problems, K1 + "@viewer", K2 + "=wxa|wxb@operator", K3 + "=wxb@admin", K4 + "@viewer");
    assertThat(problems).isEmpty();
    assertThat(keys).extracting(ApiKey::role).containsExactly(Role.VIEWER, Role.OPERATOR, Role.ADMIN, Role.VIEWER);
    assertThat(keys).extracting(k -> k.secret().reveal()).containsExactly(K1, K2, K3, K4);
    assertThat(keys.get(0).apps()).isEqualTo(Optional.empty());
    assertThat(keys.get(1).apps()).contains(Set.of("wxa", "wxb"));
  }

  @Test
  void anUnknownRoleStopsTheStartNamingTheEntryByPositionNeverByItsText() {
    List<String> problems = new ArrayList<>();
    List<ApiKey> keys = parse(problems, K1 + "@viewer", K2 + "=wxa@superuser", K3 + "@");
    assertThat(keys).hasSize(1);
    assertThat(problems).containsExactly("PUSH_API_KEYS entry 2: the role after '@' must be viewer, operator or admin",
        "PUSH_API_KEYS entry 3: the role after '@' must be viewer, operator or admin");
    assertThat(String.join(" ", problems)).doesNotContain("key-two").doesNotContain("superuser");
  }

  @Test
  void eachRoleMayDoWhatTheOnesBeforeItMayAndNoMore() {
    ApiKey viewer = ApiKey.everyApp(Secret.of(K1)).withRole(Role.VIEWER);
    ApiKey operator = viewer.withRole(Role.OPERATOR);
    ApiKey admin = viewer.withRole(Role.ADMIN);
    PushApiKeys.checkRole(viewer, Role.VIEWER);
    PushApiKeys.checkRole(operator, Role.OPERATOR);
    PushApiKeys.checkRole(admin, Role.OPERATOR);
    PushApiKeys.checkRole(admin, Role.ADMIN);
    for (ApiKey refused : List.of(viewer, operator)) {
      assertThatThrownBy(() -> PushApiKeys.checkRole(refused, Role.ADMIN)).isInstanceOfSatisfying(ApiException.class, e -> {
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.code()).isEqualTo("forbidden_role");
      });
    }
    assertThatThrownBy(() -> PushApiKeys.checkRole(viewer, Role.OPERATOR)).isInstanceOfSatisfying(ApiException.class,
        e -> assertThat(e.getMessage()).isEqualTo("this API key's role is viewer; this needs operator or above"));
  }

  @Test
  void aKeysAuditNameIsTheFirstEightHexOfItsSha256() {
    // printf %s key-one-0123456789abcdefgh | sha256sum
    ApiKey key = ApiKey.everyApp(Secret.of(K1));
    assertThat(key.auditName()).isEqualTo("55a4f540");
  }
}
