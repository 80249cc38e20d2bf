package io.wxpush.sim;

import java.util.Map;

/**
 * One delivered message as the sim stores it: shared (interned) template id, page and data,
 * and the credential as its slot number rather than its text, so that a broadcast to a million
 * users costs a few dozen bytes per message.
 *
 * @param credentialSlot the slot of the form_id/prepay_id spent, −1 for a subscribe message
 * @param msgid the id the send's answer carried
 */
record InboxEntry(String templateId, boolean subscribe, String page, Map<String, String> data, int credentialSlot, boolean prepay, long atMillis,
    long msgid) {}
