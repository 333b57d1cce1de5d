package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void idsAndClientMessageIdsAreCheckedCharacterByCharacter() {
        for (int i = 0; i < 50; i++) {
            String id = Ids.newId("c_");
            assertTrue(Ids.isId(id, "c_"), id);
            assertFalse(Ids.isId(id, "m_"), id);
        }
        String good = "c_" + "abcdefghijklmnopqrstuvwxyz".substring(0, 20) + "234567";
        assertTrue(Ids.isId(good, "c_"));
        for (String bad : new String[] {null, "", "c_", good + "a", good.substring(1), good.replace('a', 'A'),
                good.replace('2', '1'), good.replace('3', '8'), good.replace('b', '_'), "x_" + good.substring(2)}) {
            assertFalse(Ids.isId(bad, "c_"), bad);
        }
        for (String ok : new String[] {"a", "m-1", "A.b:c_d-9", "x".repeat(64)}) {
            assertTrue(Ids.isClientMsgId(ok), ok);
        }
        for (String bad : new String[] {null, "", "x".repeat(65), "a b", "a/b", "{\"$ne\":1}", "é", "a\u0000"}) {
            assertFalse(Ids.isClientMsgId(bad), bad);
        }
    }
}
