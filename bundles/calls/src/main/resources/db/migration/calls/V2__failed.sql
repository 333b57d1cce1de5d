-- A call that a bridge (a company's PBX) could not place ends as 'failed'.
ALTER TABLE calls DROP CONSTRAINT calls_state_check;
ALTER TABLE calls ADD CONSTRAINT calls_state_check
    CHECK (state IN ('ringing', 'answered', 'ended', 'declined', 'busy', 'missed', 'cancelled', 'failed'));
