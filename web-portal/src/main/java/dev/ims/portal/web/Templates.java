package dev.ims.portal.web;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;

/** FreeMarker templates from {@code /templates} on the classpath; {@code .ftlh} files escape HTML. Thread-safe. */
public final class Templates {

    private final Configuration config = new Configuration(Configuration.VERSION_2_3_34);

    public Templates() {
        config.setClassForTemplateLoading(Templates.class, "/templates");
        config.setDefaultEncoding("UTF-8");
        config.setRecognizeStandardFileExtensions(true);
        config.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        config.setLogTemplateExceptions(false);
        config.setFallbackOnNullLoopVariable(false);
    }

    public String render(String name, Map<String, ?> model) {
        try (StringWriter out = new StringWriter()) {
            config.getTemplate(name).process(model, out);
            return out.toString();
        } catch (IOException | TemplateException e) {
            throw new IllegalStateException("template " + name + " failed: " + e.getMessage(), e);
        }
    }
}
