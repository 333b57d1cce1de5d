package io.switchboard.bench.chat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** CPU time and memory of server processes, from /proc and jcmd. */
final class ProcStats {
    private ProcStats() {}

    private static final long TICKS_PER_SECOND = clockTicks();
    /**
     * The heap's spaces in {@code jcmd GC.heap_info}: G1's one line ({@code garbage-first heap}), the
     * parallel collector's two ({@code PSYoungGen}, {@code ParOldGen}), the serial one's two
     * ({@code def new generation}, {@code tenured generation}).
     */
    private static final Pattern HEAP_USED =
            Pattern.compile("(?:heap|PSYoungGen|ParOldGen|generation)\\s+total \\d+K, used (\\d+)K");

    /** Fields of /proc/PID/stat after the command name; index 0 is field 3 (state). */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /** User + system CPU seconds of a process. */
    static double cpuSeconds(long pid) {
        String[] f = stat(pid);
        return f == null ? 0 : (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
    }

    /**
     * CPU seconds of a process and all its children, the exited ones included (their time is in the
     * parent's cutime/cstime once reaped): for the database's postmaster and its backends.
     */
    static double treeCpuSeconds(long root) {
        String[] f = stat(root);
        if (f == null) return 0;
        double total = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / (double) TICKS_PER_SECOND + cpuSeconds(root);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                String[] child = stat(Long.parseLong(name));
                if (child != null && Long.parseLong(child[1]) == root) total += treeCpuSeconds(Long.parseLong(name));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return total;
    }

    /** CPU seconds of a JVM's JIT compiler threads (C1 and C2). */
    static double compilerCpuSeconds(long pid) {
        double total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String s = Files.readString(t.resolve("stat"));
                    String comm = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
                    if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) continue;
                    String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
                    total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
                } catch (IOException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    /** Busy CPU seconds of the whole machine, all cores (/proc/stat: everything but idle and iowait). */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy / (double) TICKS_PER_SECOND;
        } catch (IOException e) {
            return 0;
        }
    }

    /** CPU seconds of this process (the load generator). */
    static double selfCpuSeconds() {
        return cpuSeconds(ProcessHandle.current().pid());
    }

    /** This process's soft limit on open files (each socket takes one, here and in the server). */
    static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) return line.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }

    /** Resident set size in kB (VmRSS). */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException ignored) {
            // the process is gone
        }
        return 0;
    }

    /** A full collection in the server ({@code jcmd PID GC.run}), then the heap in use after it, in kB. */
    static long collectAndHeapUsedKb(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Thread.sleep(2000);
        Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1));
            found = true;
        }
        return found ? used : -1;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("jcmd " + pid + " " + command + ": " + out);
        return out;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }
}
