package io.wxpush.wechat;

/**
 * An access token and when it stops being valid. {@link #toString()} hides the token.
 *
 * @param expiresAtMs epoch ms
 */
public record AccessToken(String value, long expiresAtMs) {
  @Override
  public String toString() {
    return "AccessToken[****, expiresAtMs=" + expiresAtMs + "]";
  }
}
