package io.creditproxy.admin;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class AdminRepository implements PanacheRepository<Admin> {

    public Optional<Admin> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }
}
