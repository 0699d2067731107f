package dev.apportion.reports;

import com.samskivert.mustache.Mustache;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pages of Apportion's reports: Mustache templates (every value HTML-escaped) sharing one head (the
 * Content-Security-Policy that keeps a page offline, and the style sheet) and one look. The close report and the
 * dispute report are rendered here.
 */
public final class ReportPages {
    private static final Mustache.Compiler COMPILER = Mustache.compiler()
            .withLoader(name -> new StringReader(CloseReport.resource(name + ".mustache")));

    private ReportPages() {
    }

    /** Renders {@code template} (a resource of this package) with {@code model}; the style sheet is added. */
    public static String render(String template, Map<String, Object> model) {
        Map<String, Object> withStyle = new LinkedHashMap<>(model);
        withStyle.put("css", CloseReport.resource("report.css"));
        return COMPILER.compile(CloseReport.resource(template)).execute(withStyle);
    }
}
