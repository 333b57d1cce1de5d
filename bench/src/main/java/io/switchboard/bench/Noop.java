package io.switchboard.bench;

/** The JVM floor: prints one line and, when asked, idles so its memory can be read. */
public final class Noop {
    private Noop() {}

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        if (args.length > 0) Thread.sleep(Long.parseLong(args[0]));
    }
}
