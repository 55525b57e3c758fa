package io.creditproxy;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages' layering, checked on the compiled production classes (ArchUnit): arrows only go down, and no
 * package cycle. The rule is the data below; a new package must be placed in it before the build passes.
 */
class LayeringTest {

    private static final String ROOT = "io.creditproxy";

    /**
     * Top to bottom. A package may use the packages of its own layer (without a cycle) and of the layers below it,
     * never one above. The application's entry point ({@code io.creditproxy} itself) sits above them all.
     */
    static final List<List<String>> LAYERS = List.of(
            // the edge: routes and resources
            List.of("proxy", "admin", "report", "console"),
            // what triggers a settlement: fal's webhook, the tenant's polls (through proxy), the reconciler
            List.of("settlement"),
            // the job and its money lifecycle: reservation, settlement, outcome rules, ghosts, what the tenant is owed
            List.of("billing"),
            // the domain and the fal adapter
            List.of("fal", "pricing", "tenant", "limits", "webhook", "ledger", "storage"),
            // services every layer above may use
            List.of("observability", "audit", "cache"),
            // the base
            List.of("common", "config"));

    /** Packages outside the layers: what each may use. Nothing else may use them (production never uses the sandbox). */
    static final Map<String, Set<String>> APART = Map.of(
            // the fal simulator: its own base, and fal/'s SPI (LocalFal) and paths
            "sandbox", Set.of("common", "config", "fal"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void everyPackageIsPlaced() {
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass c : classes) {
            String p = topPackage(c);
            if (p != null && !p.isEmpty() && layerOf(p) < 0 && !APART.containsKey(p)) {
                unplaced.add(p);
            }
        }
        assertThat(unplaced).as("packages missing from LayeringTest.LAYERS or APART").isEmpty();
    }

    @Test
    void arrowsOnlyGoDown() {
        List<String> violations = new ArrayList<>();
        for (JavaClass c : classes) {
            String from = topPackage(c);
            if (from == null || from.isEmpty()) {
                continue; // the entry point may use anything
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = topPackage(d.getTargetClass());
                if (to != null && !to.equals(from) && !allowed(from, to)) {
                    violations.add(from + " -> " + to + ": " + d.getDescription());
                }
            }
        }
        assertThat(violations).as("dependencies on a package above, or on one kept apart").isEmpty();
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    /** What the rule says about the arrows that used to be there (issue 12) and about their replacements. */
    @Test
    void theRuleRefusesTheOldTangles() {
        assertThat(allowed("settlement", "proxy")).as("settlement -> proxy (proxy <-> settlement loop)").isFalse();
        assertThat(allowed("observability", "proxy")).as("observability -> proxy").isFalse();
        assertThat(allowed("fal", "sandbox")).as("production -> sandbox").isFalse();
        assertThat(allowed("sandbox", "proxy")).as("sandbox -> production edge").isFalse();
        assertThat(allowed("proxy", "settlement")).isTrue();
        assertThat(allowed("billing", "ledger")).isTrue();
        assertThat(allowed("sandbox", "fal")).isTrue();
    }

    static boolean allowed(String from, String to) {
        if (to.isEmpty()) {
            return false; // nothing uses the entry point
        }
        if (APART.containsKey(from)) {
            return APART.get(from).contains(to);
        }
        if (APART.containsKey(to)) {
            return false;
        }
        int a = layerOf(from);
        int b = layerOf(to);
        return a >= 0 && b >= a;
    }

    static int layerOf(String topPackage) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(topPackage)) {
                return i;
            }
        }
        return -1;
    }

    /** The first package segment under io.creditproxy ("" for the root itself), or null for a class outside it. */
    static String topPackage(JavaClass c) {
        String name = c.getPackageName();
        if (name.equals(ROOT)) {
            return "";
        }
        if (!name.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = name.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
