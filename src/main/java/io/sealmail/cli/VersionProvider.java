package io.sealmail.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version Maven stamped into the jar manifest. */
public class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = SealmailCommand.class.getPackage().getImplementationVersion();
        return new String[] {"sealmail " + (v == null ? "development" : v)};
    }
}
