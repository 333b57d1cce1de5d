package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsAreRandomBase32WithTheirPrefix() {
        String a = Ids.newId("c_");
        assertTrue(a.matches("c_[a-z2-7]{26}"), a);
        assertNotEquals(a, Ids.newId("c_"));
    }

    @Test
    void messageIdsNameTheirConversationAndSeq() {
        String c = Ids.newId("c_");
        assertEquals(c + ".42", Ids.messageId(c, 42));
        assertEquals(42, Ids.seqOf(c, c + ".42"));
        String other = Ids.newId("c_");
        for (String bad : new String[] {other + ".42", c + ".", c + ".0", c + ".-1", c + ".4a", c + ".99999999999999999999",
                c, "", c + "..1"}) {
            assertEquals(-1, Ids.seqOf(c, bad), bad);
        }
        assertEquals(-1, Ids.seqOf(c, null));
    }
}
