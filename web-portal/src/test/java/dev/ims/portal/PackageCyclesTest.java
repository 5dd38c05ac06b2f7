package dev.ims.portal;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The portal's feature packages depend one way (issue 13 broke meter↔alarm, usage↔tariff and web↔account): a class that
 * makes two of them depend on each other fails this test with the classes that close the cycle. The root package
 * ({@code Portal}, its settings) wires them all and is no slice.
 */
class PackageCyclesTest {

    private static final JavaClasses PORTAL = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ims.portal");

    @Test
    void featurePackages_areFreeOfCycles() {
        slices().matching("dev.ims.portal.(*)..").should().beFreeOfCycles().check(PORTAL);
    }
}
