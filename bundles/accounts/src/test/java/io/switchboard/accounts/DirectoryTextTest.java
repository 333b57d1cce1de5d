package io.switchboard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectoryTextTest {

    @Test
    void stripsAccentsAndCase() {
        assertEquals("cafe zurich", DirectoryText.normalize("Café Zürich"));
        assertEquals("eeaoncs", DirectoryText.normalize("ÉÈÂÖÑÇŠ"));
        assertEquals("strasse", DirectoryText.normalize("Straße"));
        assertEquals("osterbro", DirectoryText.normalize("Østerbro"));
    }

    @Test
    void splitsOnNonLetters() {
        assertEquals(List.of("cafe", "zurich", "gmbh"), DirectoryText.words("  Café-Zürich (GmbH)!"));
        assertEquals(List.of("acme", "support", "2"), DirectoryText.words("acme_support_2"));
        assertEquals(List.of(), DirectoryText.words("___ --"));
    }

    @Test
    void keepsLettersOfOtherScripts() {
        assertEquals(List.of("москва", "кафе"), DirectoryText.words("Москва КАФЕ"));
    }

    @Test
    void accountWordsJoinHandleAndDisplayName() {
        assertEquals(Set.of("cafe", "zurich", "office"),
                DirectoryText.accountWords("cafe_zurich", "Café Zürich Office"));
    }
}
