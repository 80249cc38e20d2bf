package io.wxpush.spring;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code wxpush.*} names a default client (see {@link PushClients#configured}). */
final class OnDefaultClient implements Condition {
  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return Binder.get(context.getEnvironment()).bind("wxpush", WxpushProperties.class)
        .map(PushClients::configured).orElse(false);
  }
}
