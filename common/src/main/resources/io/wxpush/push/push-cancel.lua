-- Cancels a push: marks it so that the fan-out stops at its next page and senders start no send
-- of it; a scheduled push is cancelled at once (the caller then takes it off the app's schedule,
-- another slot). CANCEL (push_cancel, push-lib.lua).
-- KEYS[1] status HASH
-- Returns 'missing' | 'final' (final already: nothing to cancel) | 'cancelling' | 'cancelled'.
return push_cancel(KEYS[1])
