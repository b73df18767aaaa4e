package io.sealmail.operator;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.sealmail.operator.api.v1alpha1.MailServer;

public class MailServerReconciler implements Reconciler<MailServer> {
    @Override
    public UpdateControl<MailServer> reconcile(MailServer resource, Context<MailServer> context) {
        return UpdateControl.noUpdate();
    }
}
