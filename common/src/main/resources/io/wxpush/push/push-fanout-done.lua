-- Marks a push's fan-out finished (or stopped by a cancel), and the push final at once when every
-- target already has its outcome (or there were no targets): FANOUT_DONE (push_fanout_done, push-lib.lua).
-- KEYS[1] status HASH
-- Returns the state it leaves the push in (as it was, when the table refuses the move).
return push_fanout_done(KEYS[1])
