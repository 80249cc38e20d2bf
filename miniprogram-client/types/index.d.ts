// Type declarations for wxpush-miniprogram (src/wxpush.js, CommonJS).
// Self-contained: `wx` is typed structurally (WxLike), so no WeChat typings are needed.

/** The parts of the `wx` global the client uses; the optional ones are used when present. */
export interface WxLike {
  request(options: {
    url: string;
    method?: string;
    header?: Record<string, string>;
    data?: unknown;
    dataType?: string;
    timeout?: number;
    success?(res: { statusCode: number; data: unknown; header?: Record<string, string> }): void;
    fail?(err: { errMsg: string }): void;
  }): unknown;
  login(options: { success?(res: { code: string }): void; fail?(err: { errMsg: string }): void }): unknown;
  getStorageSync(key: string): any;
  setStorageSync(key: string, value: any): void;
  getSetting?(options: {
    withSubscriptions?: boolean;
    success?(res: { subscriptionsSetting?: { mainSwitch: boolean; itemSettings?: Record<string, string> } }): void;
    fail?(err: { errMsg: string }): void;
    complete?(): void;
  }): unknown;
  requestSubscribeMessage?(options: {
    tmplIds: string[];
    success?(res: Record<string, string>): void;
    /** errCode: see SubscribeFailReason. */
    fail?(err: { errMsg: string; errCode?: number }): void;
    complete?(): void;
  }): unknown;
  onAppShow?(listener: (options?: unknown) => void): void;
  offAppShow?(listener: (options?: unknown) => void): void;
}

export interface WxpushOptions {
  /** The `wx` global. */
  wx: WxLike;
  /** ingest-api root, e.g. "https://push.example.com". */
  baseUrl: string;
  /** This mini-program's appId. */
  appId: string;
  /** Most credentials kept (default 500); beyond it the oldest form_ids go first, grants last. */
  maxStored?: number;
  /** Credentials per upload request, 1..100 (default 100). */
  batchSize?: number;
  /** Upload as soon as this many are pending (default 10). */
  uploadThreshold?: number;
  /** First retry delay after a failed upload, ms (default 2000); doubles per failure, jittered. */
  backoffBaseMs?: number;
  /** Longest retry delay, ms (default 300000). */
  backoffMaxMs?: number;
  /** Timeout of every wx.request (login and upload), ms (default 10000). */
  requestTimeoutMs?: number;
  /** Prefix of the storage keys (default "wxpush"). */
  storageKeyPrefix?: string;
  /** Clock, epoch ms (default Date.now). */
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (timer: unknown) => void;
  /** Uniform in [0, 1) (default Math.random): jitter and grant ids. */
  random?: () => number;
  /** Warning sink (default console.warn). */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * The app's long-term templates (gettemplate's type 3, `"type":"long_term"` in GET /v1/templates);
   * every other id is one-time. harvest never mixes the two kinds in one call (WeChat fails it: 20002).
   */
  longTermTemplateIds?: string[];
  /** Told of every failed harvest call (after the tap; throwing from it is logged, nothing else). */
  onError?: (failure: HarvestFailure) => void;
}

/** The two kinds of subscribe template. */
export type TemplateType = 'one_time' | 'long_term';

/** A template id for harvest, optionally with its kind (else longTermTemplateIds decides; unknown: one-time). */
export type TemplateRef = string | { id: string; type?: TemplateType };

/** A template's answer in a wx.requestSubscribeMessage result; 'accept' and 'acceptWithAudio' grant. */
export type SubscribeAnswer = 'accept' | 'acceptWithAudio' | 'reject' | 'ban' | 'filter';

/**
 * Why a harvest call failed. From WeChat's fail codes: 10001 empty_template_list, 10002/10003
 * network, 10004 bad_template_id_type, 10005 no_popup, 20001 no_template_data,
 * 20002 mixed_template_kinds, 20003 too_many_templates, 20004 main_switch_off, 20005 app_banned,
 * any other code 'failed'. Without a code: 'failed' (a fail without errCode), 'not_available'
 * (no wx.requestSubscribeMessage), 'threw', 'no_answer' (only complete was called).
 */
export type SubscribeFailReason =
  | 'empty_template_list' | 'network' | 'bad_template_id_type' | 'no_popup' | 'no_template_data'
  | 'mixed_template_kinds' | 'too_many_templates' | 'main_switch_off' | 'app_banned'
  | 'failed' | 'not_available' | 'threw' | 'no_answer';

/** What onError receives. */
export interface HarvestFailure {
  source: 'harvest';
  /** WeChat's errCode, or null when the failure carried none. */
  errCode: number | null;
  reason: SubscribeFailReason;
  errMsg: string;
  /** The ids the failed call asked for (empty when no call could be made). */
  tmplIds: string[];
}

export type CredentialKind = 'form_id' | 'prepay_id' | 'subscription';

export interface Credential {
  kind: CredentialKind;
  value: string;
  /** Only for kind 'subscription'. */
  templateId?: string;
  /** Epoch ms. */
  collectedAt: number;
}

export interface UploadSummary {
  accepted: number;
  rejected: number;
  dropped: number;
  remaining: number;
  /** Set when a retry was scheduled, else null. */
  retryInMs: number | null;
  /** True when an automatic upload waited for a backoff instead of sending. */
  deferred?: boolean;
}

export type KeptChoice = 'accept' | 'reject' | 'ban';

/** wx.getSetting's subscriptionsSetting, as cached and as reported with each upload. */
export interface SubscriptionSetting {
  mainSwitch: boolean;
  /** Only the templates whose choice the user kept ("always keep this choice"). */
  itemSettings: Record<string, KeptChoice>;
}

export interface HarvestResult {
  /** The template ids passed to wx.requestSubscribeMessage (empty when nothing was asked). */
  asked: string[];
  /** How many accepts were stored as grants. */
  granted: number;
  /** Set when the call failed or could not be made (then errCode and reason are set too). */
  errMsg?: string;
  /** WeChat's fail code, or null when the failure carried none. */
  errCode?: number | null;
  /** The fail code's name, e.g. 'main_switch_off' (20004), 'app_banned' (20005), 'no_popup' (10005). */
  reason?: SubscribeFailReason;
}

/** A wx.requestSubscribeMessage success result: template id → answer (SubscribeAnswer), plus errMsg. */
export type SubscribeResult = Record<string, string>;

export interface WxpushClient {
  /** Stores `e.detail.formId` of a report-submit form; true if it was new. Ignores devtools' mock formId. */
  collectFormSubmit(e: { detail?: { formId?: string } } | null | undefined): boolean;
  /** Stores a prepay_id (bare, or "prepay_id=…"); true if it was new. */
  collectPrepayId(prepayId: string): boolean;
  /**
   * Stores one grant per template answered 'accept' or 'acceptWithAudio' (a long-term template
   * only when not already known accepted); returns how many.
   */
  collectSubscribeResult(result: SubscribeResult | null | undefined): number;
  /**
   * For tap handlers, before any await: one wx.requestSubscribeMessage call, synchronously, for
   * templates of one kind (long-term ones not yet known accepted first; the kinds alternate tap
   * after tap): the templates kept as 'accept' (at most 3), or, when none is kept, the given ones
   * not kept as 'reject'/'ban'; nothing when the main switch is off. Stores every accept, a
   * long-term one once. Never throws; a failure resolves with errCode/reason and goes to onError.
   */
  harvest(tmplIds?: TemplateRef[] | TemplateRef): Promise<HarvestResult>;
  /** Forgets recorded long-term accepts (all when none given) so harvest asks again; returns how many. */
  forgetLongTermAccepts(templateIds?: string[] | string): number;
  /** The subscription setting as last read, or null when not known. */
  subscriptionSetting(): SubscriptionSetting | null;
  /** Compatibility alias: the client listens to wx.onAppShow itself. Refreshes the setting, then uploads unless backing off. */
  onShow(): Promise<UploadSummary>;
  /** Uploads now, ignoring backoff; joins a running upload. */
  flush(): Promise<UploadSummary>;
  /** Credentials not yet acknowledged, oldest first (copies). */
  pending(): Credential[];
  /** Teardown: cancels a scheduled retry and stops listening to wx.onAppShow. */
  stop(): void;
}

export function createWxpush(options: WxpushOptions): WxpushClient;

/** The client createWxpush made last and has not stopped, or null; the wxpush-tap component collects into it. */
export function sharedClient(): WxpushClient | null;

/** What WeChat devtools hands out instead of a real formId. */
export const MOCK_FORM_ID: 'the formId is a mock one';

/**
 * The `<wxpush-tap>` component (components/wxpush-tap/index): its `tap` event, bound with
 * `bind:tap`, fires once per tap after the formId was collected, still inside the user's tap.
 */
export interface WxpushTapEvent {
  type: 'tap';
  /** The form's formId as WeChat gave it (devtools' mock one included). */
  detail: { formId?: string };
  currentTarget: { dataset: Record<string, any> };
}
