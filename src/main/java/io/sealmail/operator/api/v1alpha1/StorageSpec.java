package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The volume for mailboxes and the outbound queue (one PersistentVolumeClaim per pod). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @Default("1Gi")
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @JsonPropertyDescription("Requested size, e.g. 10Gi. A larger size later expands the claim when its StorageClass "
            + "allows volume expansion; a volume never shrinks (status says so).")
    public String size;

    @JsonPropertyDescription("StorageClass; the cluster default when omitted. Fixed once the claim exists.")
    public String storageClassName;

    @Default("false")
    @JsonPropertyDescription("Delete the mail volume when the MailServer is deleted. Default false: the claim and its "
            + "mail stay, and a MailServer of the same name in the same namespace uses them again.")
    public Boolean deleteClaim;
}
