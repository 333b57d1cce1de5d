package io.switchboard.admin;

import org.osgi.framework.Bundle;

/** A bundle as the admin API shows it. */
record BundleView(long id, String symbolicName, String version, String state, String location, boolean fragment) {

    static BundleView of(Bundle b) {
        return new BundleView(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(), state(b.getState()),
                b.getLocation(), b.getHeaders().get("Fragment-Host") != null);
    }

    static String state(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "uninstalled";
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "unknown";
        };
    }
}
