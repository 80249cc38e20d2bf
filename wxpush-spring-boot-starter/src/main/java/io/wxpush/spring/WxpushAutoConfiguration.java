package io.wxpush.spring;

import io.wxpush.client.PushClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * wxpush for a Spring Boot service, from {@code wxpush.*}: {@link PushClients} (the apps by name),
 * a {@link PushClient} bean when the top-level properties name one (HTTP: {@code api-url} and
 * {@code api-key}; Kafka: {@code kafka.bootstrap-servers}), and {@link WxpushCallbacks}.
 */
@AutoConfiguration
@EnableConfigurationProperties(WxpushProperties.class)
public class WxpushAutoConfiguration {
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public PushClients wxpushClients(WxpushProperties properties) {
    return new PushClients(properties);
  }

  /** The client of the top-level properties; the context closes it with {@link PushClients}. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  @Conditional(OnDefaultClient.class)
  public PushClient wxpushPushClient(PushClients clients) {
    return clients.defaultClient();
  }

  @Bean
  @ConditionalOnMissingBean
  public WxpushCallbacks wxpushCallbacks(WxpushProperties properties) {
    return new WxpushCallbacks(PushClients.verifiers(properties));
  }
}
