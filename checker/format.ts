/**
 * Findings as text (one `file:line:column: severity: message [code]` line
 * each, which editors and terminals jump to, and the fix on the next line),
 * JSON, or SARIF 2.1.0 (GitHub code scanning and other CI viewers).
 */
import { relative } from "node:path";
import type { CheckResult } from "./index.js";
import type { Finding, FindingCode } from "./reports.js";

export type Format = "text" | "json" | "sarif";
export const FORMATS: readonly Format[] = ["text", "json", "sarif"];

const DESCRIPTION: Record<FindingCode, string> = {
  "missing-mark": "A function that may suspend is called from marked code but is not marked",
  callback: "A callback that may suspend is called by code that is not marked",
  unmarkable: "A switch is reachable inside a getter, setter, generator, async function, field initializer or static block",
  "needless-mark": "A \"use fiber\" directive that can never matter",
  "stackful-only": "A fiber target that may suspend is not marked, and the project targets browsers",
  "unknown-callee": "A call the checker cannot resolve, where it could break a stackless fiber",
};

export function formatFindings(result: CheckResult, format: Format, cwd = process.cwd()): string {
  const path = (f: string) => relative(cwd, f) || f;
  const findings = result.findings.map((f) => ({ ...f, remedy: undefined, file: path(f.file) }));
  if (format === "json") {
    return JSON.stringify(
      {
        findings: findings.map(({ remedy: _, ...f }) => f),
        errors: result.errors,
        files: result.files,
        configProblems: result.configProblems,
        ...(result.fixed && { fixed: { ...result.fixed, files: result.fixed.files.map(path) } }),
      },
      null,
      2,
    );
  }
  if (format === "sarif") return JSON.stringify(sarif(findings), null, 2);
  const lines = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]\n  fix: ${f.fix}`);
  const counts = (["error", "warning", "hint"] as const).map((s) => [s, findings.filter((f) => f.severity === s).length] as const);
  const summary = counts.map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`).join(", ");
  if (result.fixed) {
    const { marked, unmarked, loops, files } = result.fixed;
    lines.push(`fiberlet check --fix: marked ${marked}, unmarked ${unmarked}, rewrote ${loops} forEach loop(s) in ${files.length} file(s)`);
  }
  lines.push(`fiberlet check: ${result.files} file(s), ${summary}`);
  return lines.join("\n");
}

function sarif(findings: Finding[]): object {
  const codes = Object.keys(DESCRIPTION) as FindingCode[];
  return {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: {
          driver: {
            name: "fiberlet check",
            informationUri: "https://github.com/fiberlet/fiberlet#checking-a-project-fiberlet-check",
            rules: codes.map((id) => ({ id, shortDescription: { text: DESCRIPTION[id] } })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: codes.indexOf(f.code),
          level: f.severity === "hint" ? "note" : f.severity,
          message: { text: `${f.message}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split("\\").join("/") },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
        })),
      },
    ],
  };
}
