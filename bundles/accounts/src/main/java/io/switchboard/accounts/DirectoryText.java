package io.switchboard.accounts;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the directory sees text: accents stripped, lower-cased, split into words on everything that is
 * not a letter or digit (so handles split on '_'). Stored words and query words go through the same
 * function, which is what makes "cafe zur" find "Café Zürich".
 */
public final class DirectoryText {
    private DirectoryText() {}

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}]+");

    /** NFD, combining marks removed, a few letters NFD keeps whole folded, lower-cased. */
    public static String normalize(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        String stripped = MARKS.matcher(decomposed).replaceAll("");
        StringBuilder out = new StringBuilder(stripped.length());
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            switch (c) {
                case 'ß' -> out.append("ss");
                case 'ø', 'Ø' -> out.append('o');
                case 'æ', 'Æ' -> out.append("ae");
                case 'œ', 'Œ' -> out.append("oe");
                case 'ł', 'Ł' -> out.append('l');
                case 'đ', 'Đ' -> out.append('d');
                case 'ı' -> out.append('i');
                default -> out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** The distinct words of a text, in order of first appearance. */
    public static List<String> words(String text) {
        if (text == null) return List.of();
        Set<String> words = new LinkedHashSet<>();
        for (String w : SEPARATORS.split(normalize(text))) {
            if (!w.isEmpty()) words.add(w);
        }
        return new ArrayList<>(words);
    }

    /** The words an account is found by: those of its handle and of its display name. */
    public static Set<String> accountWords(String handle, String displayName) {
        Set<String> words = new LinkedHashSet<>(words(handle));
        words.addAll(words(displayName));
        return words;
    }
}
