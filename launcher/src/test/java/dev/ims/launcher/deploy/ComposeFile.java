package dev.ims.launcher.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The repository's {@code docker-compose.yml} as a tree, with the questions the compose tests ask of it. Services built
 * from the repository's {@code Dockerfile} name their module with the build argument {@code MODULE}; the others run a
 * third-party image.
 */
final class ComposeFile {

    /** The repository's root, seen from a module's folder (where Maven runs the tests). */
    static final Path ROOT = Path.of("..");

    private static final YAMLMapper YAML = new YAMLMapper();

    private final JsonNode root;

    ComposeFile(JsonNode root) {
        this.root = root;
    }

    static ComposeFile read(Path file) throws IOException {
        return new ComposeFile(YAML.readTree(Files.readString(file)));
    }

    static JsonNode readYaml(Path file) throws IOException {
        return YAML.readTree(Files.readString(file));
    }

    /** A deep copy to change (the negative cases). */
    ComposeFile copy() {
        return new ComposeFile(root.deepCopy());
    }

    ObjectNode service(String name) {
        JsonNode s = root.path("services").path(name);
        if (!s.isObject()) {
            throw new IllegalArgumentException("no service " + name + " in the compose file");
        }
        return (ObjectNode) s;
    }

    List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        root.path("services").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The module a service is built from (its build argument MODULE), if it is built from the repository's Dockerfile. */
    Optional<String> module(String service) {
        JsonNode m = service(service).path("build").path("args").path("MODULE");
        return m.isTextual() ? Optional.of(m.asText()) : Optional.empty();
    }

    /** The services built from {@code module}, in file order. */
    List<String> servicesOf(String module) {
        return serviceNames().stream().filter(s -> module(s).filter(module::equals).isPresent()).toList();
    }

    /** A service's environment, in either of compose's forms (a map, or a list of {@code NAME=value}). */
    Map<String, String> environment(String service) {
        JsonNode env = service(service).path("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
            }
        } else if (env.isArray()) {
            for (JsonNode e : env) {
                String s = e.asText();
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
            }
        }
        return out;
    }

    List<String> list(String service, String key) {
        List<String> out = new ArrayList<>();
        service(service).path(key).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The value after {@code option} in the service's command, if given. */
    Optional<String> commandOption(String service, String option) {
        List<String> command = list(service, "command");
        int i = command.indexOf(option);
        return i >= 0 && i + 1 < command.size() ? Optional.of(command.get(i + 1)) : Optional.empty();
    }

    /** The container ports a service publishes ({@code "host:container"}, the host side possibly interpolated). */
    List<Integer> publishedContainerPorts(String service) {
        return list(service, "ports").stream().map(p -> {
            String s = p.replaceAll("/(tcp|udp)$", "");
            return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
        }).toList();
    }

    /** The named volume mounted at {@code target} in the service, if any. */
    Optional<String> volumeAt(String service, String target) {
        for (String v : list(service, "volumes")) {
            String[] parts = v.split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                return Optional.of(parts[0]);
            }
        }
        return Optional.empty();
    }

    /** The names of the volumes the file declares at its top level. */
    Set<String> declaredVolumes() {
        Set<String> names = new TreeSet<>();
        root.path("volumes").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * The environment variables the code of a class reads, as the class publishes them: its public static final String
     * constants whose value is their own name (as {@code ImsSettings.MQTT_URL = "MQTT_URL"}).
     */
    static Set<String> variablesOf(Class<?>... settingsClasses) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : settingsClasses) {
            for (Field f : c.getFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                    try {
                        if (f.getName().equals(f.get(null))) {
                            names.add(f.getName());
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return names;
    }
}
