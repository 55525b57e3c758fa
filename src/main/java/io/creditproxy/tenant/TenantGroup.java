package io.creditproxy.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/** A group a tenant may put keys in besides its default group. */
@Entity
@Table(name = "tenant_groups")
@IdClass(TenantGroup.Key.class)
public class TenantGroup {

    public static class Key implements Serializable {
        public long tenantId;
        public long groupId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.tenantId == tenantId && k.groupId == groupId;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(tenantId) * 31 + Long.hashCode(groupId);
        }
    }

    @Id
    @Column(name = "tenant_id")
    public long tenantId;

    @Id
    @Column(name = "group_id")
    public long groupId;
}
