package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Resident memory of processes, read from /proc (kB). PSS counts shared pages once across them. */
final class Procs {
    private Procs() {}

    record Memory(long rssKb, long pssKb) {
        Memory plus(Memory o) { return new Memory(rssKb + o.rssKb, pssKb + o.pssKb); }
    }

    static Memory memory(long pid) {
        return new Memory(field(Path.of("/proc/" + pid + "/status"), "VmRSS:"),
                field(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:"));
    }

    static Memory treeMemory(long root) {
        Memory m = memory(root);
        for (long child : children(root)) m = m.plus(treeMemory(child));
        return m;
    }

    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(rest[1]) == pid) out.add(Long.parseLong(name));
                } catch (IOException | RuntimeException ignored) {
                    // the process went away
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static long field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException ignored) {
            // gone or not readable
        }
        return 0;
    }
}
