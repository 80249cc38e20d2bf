package io.wxpush.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Who the simulated users are and what each one does: how many form_ids, prepay_ids and
 * subscription grants it uploads (about 15 % upload nothing), and who the targeted push
 * addresses (half with a grant of the subscribe template, half without). Immutable.
 */
record UserPlan(List<User> users, List<String> targeted) {
  /** One simulated user; all counts are zero for a user who uploads nothing. */
  record User(String openId, int formIds, int prepayIds, int grants, boolean targeted) {
    boolean uploads() {
      return formIds + prepayIds + grants > 0;
    }

    int credentials() {
      return formIds + prepayIds + grants;
    }

    /** Messages this user should hold after both pushes: the broadcast, plus the targeted push if granted. */
    int expectedMessages() {
      return (formIds + prepayIds > 0 ? 1 : 0) + (targeted && grants > 0 ? 1 : 0);
    }
  }

  static UserPlan make(int count, long seed) {
    Random rnd = new Random(seed);
    int targetedSize = Math.max(2, Math.min(500, count / 6));
    int grantedInTarget = targetedSize / 2;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < count; i++) order.add(i);
    Collections.shuffle(order, rnd);

    boolean[] uploads = new boolean[count];
    for (int i = 0; i < count; i++) uploads[i] = rnd.nextDouble() < 0.85;
    // Grants: about 15 % of uploaders, and at least enough for the granted half of the targeted push.
    int uploaders = 0;
    for (boolean u : uploads) if (u) uploaders++;
    int grantsWanted = Math.max(grantedInTarget, uploaders * 15 / 100);
    boolean[] granted = new boolean[count];
    boolean[] targeted = new boolean[count];
    int grantedSoFar = 0, grantedTargeted = 0;
    for (int i : order) {
      if (uploads[i] && grantedSoFar < grantsWanted) {
        granted[i] = true;
        grantedSoFar++;
        if (grantedTargeted < grantedInTarget) {
          targeted[i] = true;
          grantedTargeted++;
        }
      }
    }
    // The other half: users without a grant, alternately ones who uploaded nothing and ones with
    // only form_ids (a form_id is not a grant, so both come out noCredential).
    int ungrantedTargeted = 0, wantUngranted = targetedSize - grantedTargeted;
    for (int pass = 0; pass < 2 && ungrantedTargeted < wantUngranted; pass++) {
      boolean nextNonUploader = true;
      for (int i : order) {
        if (ungrantedTargeted >= wantUngranted) break;
        if (granted[i] || targeted[i]) continue;
        if (pass == 0 && uploads[i] != !nextNonUploader) continue;
        targeted[i] = true;
        ungrantedTargeted++;
        nextNonUploader = !nextNonUploader;
      }
    }

    List<User> users = new ArrayList<>(count);
    List<String> audience = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String openId = String.format("demo-user-%06d", i);
      int formIds = uploads[i] ? 1 + rnd.nextInt(3) : 0;
      int prepay = uploads[i] && rnd.nextDouble() < 0.2 ? 1 : 0;
      users.add(new User(openId, formIds, prepay, granted[i] ? 1 : 0, targeted[i]));
      if (targeted[i]) audience.add(openId);
    }
    return new UserPlan(List.copyOf(users), List.copyOf(audience));
  }

  long uploaders() {
    return users.stream().filter(User::uploads).count();
  }

  /** Users the template broadcast can reach: those holding a form_id or prepay_id. */
  long templateReachable() {
    return users.stream().filter(u -> u.formIds() + u.prepayIds() > 0).count();
  }

  long targetedWithGrant() {
    return users.stream().filter(u -> u.targeted() && u.grants() > 0).count();
  }
}
