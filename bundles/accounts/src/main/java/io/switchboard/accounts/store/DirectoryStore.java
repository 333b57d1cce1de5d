package io.switchboard.accounts.store;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Directory search over {@code accounts.directory_words}: every query word must be the prefix of some
 * word of the account. Each prefix is a {@code LIKE 'pre%'} on the text_pattern_ops index.
 * Ranking: the exact handle first, then handles starting with the query, then by display name.
 */
public final class DirectoryStore {
    private final DataSource dataSource;

    public DirectoryStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param words normalized query words, at least one
     * @param handleQuery the query as a handle would be written (lower-case), for ranking
     */
    public List<AccountInfo> search(List<String> words, String handleQuery, Optional<AccountKind> kind, int limit) {
        if (words.isEmpty()) throw new IllegalArgumentException("at least one word");
        StringBuilder sql = new StringBuilder("SELECT ").append(AccountStore.COLUMNS)
                .append(" FROM accounts.accounts a WHERE ");
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) sql.append(" AND ");
            sql.append("a.id IN (SELECT w.account_id FROM accounts.directory_words w WHERE w.word LIKE ? ESCAPE '\\')");
        }
        if (kind.isPresent()) sql.append(" AND a.kind = ?");
        sql.append(" ORDER BY CASE WHEN a.handle = ? THEN 0 WHEN a.handle LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END,")
                .append(" lower(a.display_name), a.handle LIMIT ?");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (String word : words) s.setString(p++, likePrefix(word));
            if (kind.isPresent()) s.setString(p++, kind.get().wireName());
            s.setString(p++, handleQuery);
            s.setString(p++, likePrefix(handleQuery));
            s.setInt(p, limit);
            List<AccountInfo> results = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) results.add(AccountStore.read(r));
            }
            return results;
        } catch (SQLException e) {
            throw new StoreException("Searching the directory", e);
        }
    }

    /** {@code text%} with LIKE's own characters escaped, so "a_b" does not match "axb". */
    static String likePrefix(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
