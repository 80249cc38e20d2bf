package io.wxpush.wechat;

import java.util.Optional;

/** The result of {@code sns/jscode2session}: who the user is. The session_key is not kept. */
public record Code2Session(String openId, Optional<String> unionId) {}
