"use strict";

// test/unit/checkPullRequest.test.ts
var import_node_assert2 = require("node:assert");
var import_node_child_process2 = require("node:child_process");
var import_node_fs = require("node:fs");
var import_node_os = require("node:os");
var import_node_path = require("node:path");

// test/harness/fixtureGit.ts
var import_node_assert = require("node:assert");
var import_node_child_process = require("node:child_process");
function fixtureGitEnv(identity, extra = {}) {
  const env2 = {
    ...process.env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    ...extra
  };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"]) delete env2[name];
  return env2;
}
function runFixtureGit(cwd, env2, args) {
  const result = (0, import_node_child_process.spawnSync)("git", args, { cwd, encoding: "utf8", env: env2 });
  import_node_assert.strict.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

// test/unit/checkPullRequest.test.ts
var repoRoot = (0, import_node_path.resolve)(__dirname, "../../..");
var cli = (0, import_node_path.join)(repoRoot, "dist/cli.js");
var sample = (0, import_node_path.join)(repoRoot, "runbooks");
var COMMIT_DATE = "2026-11-20T12:00:00Z";
var NOW = ["--now", "2026-11-25"];
var ALICE = { name: "Alice", email: "alice@example.com" };
function env(extra = {}) {
  return fixtureGitEnv(ALICE, { GIT_AUTHOR_DATE: COMMIT_DATE, GIT_COMMITTER_DATE: COMMIT_DATE, ...extra });
}
function git(cwd, ...args) {
  return runFixtureGit(cwd, env(), args);
}
function runCli(cwd, args, extraEnv = {}) {
  const result = (0, import_node_child_process2.spawnSync)(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: env(extraEnv) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function edit(root, path, change) {
  const file = (0, import_node_path.join)(root, path);
  const before2 = (0, import_node_fs.readFileSync)(file, "utf8");
  const after2 = change(before2);
  import_node_assert2.strict.notEqual(after2, before2, `edit of ${path} changed nothing`);
  (0, import_node_fs.writeFileSync)(file, after2);
}
describe("check for pull requests: --changed-since, --strict, --format github, owners (dist/cli.js)", function() {
  this.timeout(6e4);
  let scratch;
  let repo;
  before(() => {
    scratch = (0, import_node_fs.mkdtempSync)((0, import_node_path.join)((0, import_node_os.tmpdir)(), "rbo-check-pr-"));
  });
  after(() => (0, import_node_fs.rmSync)(scratch, { recursive: true, force: true }));
  beforeEach(function() {
    repo = (0, import_node_path.join)(scratch, this.currentTest.title.replace(/\W+/g, "-").slice(0, 50));
    (0, import_node_fs.cpSync)(sample, repo, { recursive: true });
    edit(repo, "incidents/INC-0012.yaml", (t) => t.replace("severity: SEV4", "severity: SEV9"));
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "Sample operations repository");
    git(repo, "checkout", "-q", "-b", "feature");
  });
  it("--format github --changed-since reports only the branch's changed files (golden)", () => {
    edit(repo, "incidents/INC-0005.yaml", (t) => t.replace("status: resolved", "status: resolvd").replace("severity: SEV2", "severity: SEV2\nduplicate_of: INC-0099"));
    (0, import_node_fs.appendFileSync)((0, import_node_path.join)(repo, "kubernetes/crashloop-pod.md"), "\nSee [the node runbook](node-not-ready.md) and [old notes](../old/crashloop-notes.md).\n");
    git(repo, "commit", "-q", "-am", "Edit INC-0005 and a runbook");
    const { status, stdout, stderr } = runCli(repo, ["check", "--format", "github", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.equal(stderr, "");
    import_node_assert2.strict.equal(status, 1);
    import_node_assert2.strict.equal(stdout, [
      "::error file=incidents/INC-0005.yaml,line=3,col=9::Unknown status `resolvd`. Did you mean `resolved`? Use one of: triage, acknowledged, investigating, mitigated, resolved, closed, cancelled.",
      "::error file=incidents/INC-0005.yaml,line=5,col=15::`duplicate_of: INC-0099`: no incident record has that id. Did you mean INC-0009? Fix the id, or remove the field if the other record was deleted.",
      '::warning file=kubernetes/crashloop-pod.md,line=1::This runbook has no `owner`. Add `owner: "@org/team"` to its front matter (a --- block at the top) so changes to it, and its services\' incidents, are reviewed by the team that owns it.',
      "::error file=kubernetes/crashloop-pod.md,line=90,col=59::Link to ../old/crashloop-notes.md points to a file that does not exist (a runbook renamed or deleted?). Fix the path (relative to this file) or remove the link.",
      "Checked 2 files changed since main (of 15 runbooks and 12 incidents): 3 errors, 1 warning.",
      ""
    ].join("\n"));
    const full = runCli(repo, ["check", "--format", "github", ...NOW]);
    import_node_assert2.strict.equal(full.status, 1);
    import_node_assert2.strict.match(full.stdout, /^::error file=incidents\/INC-0012\.yaml,line=4,col=11::Unknown severity `SEV9`/m);
    import_node_assert2.strict.match(full.stdout, /^::warning file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days: last reviewed 2026-06-30, due 2026-09-28/m);
  });
  it("--changed-since on a branch with one modified file: that file only, from one git process", () => {
    edit(repo, "incidents/INC-0003.yaml", (t) => t.replace(/^title: .*$/m, "title: Edited on the branch"));
    git(repo, "commit", "-q", "-am", "Retitle INC-0003");
    const trace = (0, import_node_path.join)(scratch, `${Date.now()}-trace.json`);
    const json = runCli(repo, ["check", "--format", "json", "--changed-since", "main", ...NOW], { GIT_TRACE2_EVENT: trace });
    import_node_assert2.strict.equal(json.status, 0, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout);
    import_node_assert2.strict.deepEqual([report.changed, report.deleted, report.errors, report.files], [["incidents/INC-0003.yaml"], [], 0, []]);
    const starts = (0, import_node_fs.readFileSync)(trace, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.event === "start");
    import_node_assert2.strict.deepEqual(starts.map((e) => e.argv?.[1]), ["diff"]);
    const text = runCli(repo, ["check", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.equal(text.stdout, "Checked 1 file changed since main (of 15 runbooks and 12 incidents): no problems.\n");
    edit(repo, "incidents/INC-0004.yaml", (t) => t.replace("mode: drill", "mode: dril"));
    const dirty = runCli(repo, ["check", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.equal(dirty.status, 1);
    import_node_assert2.strict.match(dirty.stdout, /^incidents\/INC-0004\.yaml:\d+:\d+: error: Unknown mode `dril`\. Did you mean `drill`\?/m);
  });
  it("reports unchanged files a deletion on the branch breaks", () => {
    git(repo, "rm", "-q", "kubernetes/checkout-api-smoke.md");
    git(repo, "commit", "-q", "-m", "Retire the smoke runbook");
    const { status, stdout } = runCli(repo, ["check", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.equal(status, 1);
    const files = [...new Set(stdout.split("\n").filter((l) => /: (error|warning): /.test(l)).map((l) => l.split(":")[0]))];
    import_node_assert2.strict.deepEqual(files, ["incidents/INC-0001.yaml", "incidents/INC-0005.yaml", "incidents/INC-0010.yaml", "kubernetes/checkout-api-rollback.md"]);
    import_node_assert2.strict.match(stdout, /incidents\/INC-0005\.yaml:\d+:\d+: error: Runbook kubernetes\/checkout-api-smoke\.md does not exist/);
  });
  it("exit codes: 0 clean, 1 problems, 2 for usage and git errors", () => {
    import_node_assert2.strict.equal(runCli(repo, ["check", "--changed-since", "main", ...NOW]).status, 0);
    import_node_assert2.strict.equal(runCli(repo, ["check", ...NOW]).status, 1);
    const unknownRef = runCli(repo, ["check", "--changed-since", "origin/nope", ...NOW]);
    import_node_assert2.strict.equal(unknownRef.status, 2);
    import_node_assert2.strict.match(unknownRef.stderr, /--changed-since origin\/nope: git does not know origin\/nope here\. Fetch it first \(in GitHub Actions: actions\/checkout with fetch-depth: 0\)/);
    import_node_assert2.strict.equal(runCli(repo, ["check", "--changed-since"]).status, 2);
    import_node_assert2.strict.equal(runCli(repo, ["check", "--now", "tomorrow"]).status, 2);
    import_node_assert2.strict.equal(runCli(repo, ["check", "--bogus"]).status, 2);
    const outside = (0, import_node_fs.mkdtempSync)((0, import_node_path.join)(scratch, "plain-"));
    const notRepo = runCli(outside, ["check", "--changed-since", "main"], { GIT_CEILING_DIRECTORIES: (0, import_node_path.dirname)(outside) });
    import_node_assert2.strict.equal(notRepo.status, 2);
    import_node_assert2.strict.match(notRepo.stderr, /--changed-since needs a git repository/);
  });
  it("--strict fails on runbooks overdue for review, which are warnings otherwise", () => {
    edit(repo, "incidents/INC-0012.yaml", (t) => t.replace("severity: SEV9", "severity: SEV4"));
    edit(repo, "database/postgres-disk-full.md", (t) => t.replace("## ", "Checked in the review.\n\n## "));
    git(repo, "commit", "-q", "-am", "Fix INC-0012, touch a stale runbook");
    const lenient = runCli(repo, ["check", "--format", "github", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.equal(lenient.status, 0, lenient.stdout);
    import_node_assert2.strict.match(lenient.stdout, /^::warning file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days/m);
    const strict = runCli(repo, ["check", "--format", "github", "--changed-since", "main", "--strict", ...NOW]);
    import_node_assert2.strict.equal(strict.status, 1);
    import_node_assert2.strict.match(strict.stdout, /^::error file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days/m);
    edit(repo, "database/postgres-disk-full.md", (t) => t.replace("last_reviewed: 2026-06-30", "last_reviewed: 2026-11-25"));
    import_node_assert2.strict.equal(runCli(repo, ["check", "--changed-since", "main", "--strict", ...NOW]).status, 0);
  });
  it("review dates from git: a runbook without last_reviewed goes stale from its last commit; a shallow clone says dates are unknown", () => {
    const old = env({ GIT_AUTHOR_DATE: "2026-01-05T10:00:00Z", GIT_COMMITTER_DATE: "2026-01-05T10:00:00Z" });
    const repoOld = (0, import_node_path.join)(scratch, "old-history");
    (0, import_node_fs.mkdirSync)((0, import_node_path.join)(repoOld, "ops"), { recursive: true });
    (0, import_node_fs.writeFileSync)((0, import_node_path.join)(repoOld, "ops/restart.md"), "# Restart\n\n```sh\nsystemctl restart app\n```\n");
    for (const args of [["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "Old runbook"]]) (0, import_node_child_process2.spawnSync)("git", args, { cwd: repoOld, env: old });
    const stale = runCli(repoOld, ["check", "--format", "github", ...NOW]);
    import_node_assert2.strict.equal(stale.status, 0);
    import_node_assert2.strict.match(stale.stdout, /^::warning file=ops\/restart\.md,line=1::Review overdue by 234 days: last changed 2026-01-05 \(git; no `last_reviewed` in its front matter\), due 2026-04-05\./m);
    const clone = (0, import_node_path.join)(scratch, "shallow-clone");
    git(scratch, "clone", "-q", "--depth", "1", `file://${repo}`, clone);
    const shallow = runCli(clone, ["check", "--format", "github", ...NOW]);
    import_node_assert2.strict.equal(shallow.status, 1, "the INC-0012 error, not the unknown dates");
    import_node_assert2.strict.equal(shallow.stderr, "Review dates of 8 runbooks without `last_reviewed` are unknown: this is a shallow clone; fetch the full history (fetch-depth: 0) to see them.\n");
    import_node_assert2.strict.doesNotMatch(shallow.stdout, /line=1::Review overdue/);
    git(repo, "commit", "-q", "--allow-empty", "-m", "Branch commit");
    const pr = (0, import_node_path.join)(scratch, "pr-clone");
    git(scratch, "clone", "-q", "--depth", "1", "-b", "feature", `file://${repo}`, pr);
    git(pr, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main");
    const cut = runCli(pr, ["check", "--changed-since", "origin/main"]);
    import_node_assert2.strict.equal(cut.status, 2);
    import_node_assert2.strict.match(cut.stderr, /origin\/main and HEAD have no common commit in this clone.*fetch-depth: 0/);
  });
  it("warns about runbooks without an owner only once the repository uses owners", () => {
    const plain = (0, import_node_path.join)(scratch, "no-owners");
    (0, import_node_fs.mkdirSync)((0, import_node_path.join)(plain, "ops"), { recursive: true });
    (0, import_node_fs.writeFileSync)((0, import_node_path.join)(plain, "ops/restart.md"), "# Restart\n\n```sh\nsystemctl restart app\n```\n");
    (0, import_node_fs.writeFileSync)((0, import_node_path.join)(plain, "ops/drain.md"), "# Drain\n\n```sh\nkubectl drain node-1\n```\n");
    import_node_assert2.strict.equal(runCli(plain, ["check", ...NOW]).stdout, "Checked 2 runbooks and 0 incidents: no problems.\n");
    (0, import_node_fs.writeFileSync)((0, import_node_path.join)(plain, "ops/restart.md"), '---\nowner: "@acme/app"\n---\n# Restart\n\n```sh\nsystemctl restart app\n```\n');
    import_node_assert2.strict.equal(runCli(plain, ["check", ...NOW]).stdout, [
      'ops/drain.md:1: warning: This runbook has no `owner`. Add `owner: "@org/team"` to its front matter (a --- block at the top) so changes to it, and its services\' incidents, are reviewed by the team that owns it.',
      "Checked 2 runbooks and 0 incidents: 0 errors, 1 warning.",
      ""
    ].join("\n"));
  });
  it("codeowners --write fills a marked block; check warns once the block is out of date", () => {
    (0, import_node_fs.mkdirSync)((0, import_node_path.join)(repo, ".github"));
    (0, import_node_fs.writeFileSync)((0, import_node_path.join)(repo, ".github/CODEOWNERS"), "# Hand-written rules stay.\n* @acme/sre\n");
    const printed = runCli(repo, ["codeowners"]);
    import_node_assert2.strict.equal(printed.status, 0);
    import_node_assert2.strict.match(printed.stdout, /^\/kubernetes\/checkout-api-rollback\.md @acme\/payments$/m);
    import_node_assert2.strict.match(printed.stdout, /^\/incidents\/INC-0001\.yaml @acme\/data-platform @acme\/payments @acme\/fulfilment$/m);
    import_node_assert2.strict.match(printed.stderr, /^8 runbooks have no usable owner and are left out\.$/m);
    const written = runCli(repo, ["codeowners", "--write"]);
    import_node_assert2.strict.equal(written.status, 0, written.stderr);
    import_node_assert2.strict.match(written.stdout, /^Updated \.github\/CODEOWNERS: 7 runbook and 11 incident rules/);
    const file = (0, import_node_fs.readFileSync)((0, import_node_path.join)(repo, ".github/CODEOWNERS"), "utf8");
    import_node_assert2.strict.ok(file.startsWith("# Hand-written rules stay.\n* @acme/sre\n\n# BEGIN runbook-ops: generated"));
    import_node_assert2.strict.ok(file.endsWith("/incidents/INC-0012.yaml @acme/edge\n# END runbook-ops\n"));
    import_node_assert2.strict.equal(runCli(repo, ["codeowners", "--write"]).stdout, ".github/CODEOWNERS is up to date (18 rules).\n");
    import_node_assert2.strict.doesNotMatch(runCli(repo, ["check", ...NOW]).stdout, /CODEOWNERS/);
    edit(repo, "kubernetes/checkout-api-rollback.md", (t) => t.replace('owner: "@acme/payments"', 'owner: "@acme/checkout"'));
    const check = runCli(repo, ["check", "--format", "github", "--changed-since", "main", ...NOW]);
    import_node_assert2.strict.match(check.stdout, /^::warning file=\.github\/CODEOWNERS,line=4::The runbook-ops block is out of date with the runbooks' owners \(\d+ lines to add, \d+ to remove, e\.g\. "\/kubernetes\/checkout-api-rollback\.md @acme\/checkout"\)\. Run `runbook-ops codeowners --write` and commit the result\.$/m);
    runCli(repo, ["codeowners", "--write"]);
    import_node_assert2.strict.match((0, import_node_fs.readFileSync)((0, import_node_path.join)(repo, ".github/CODEOWNERS"), "utf8"), /^\/incidents\/INC-0005\.yaml @acme\/checkout @acme\/payments$/m);
    import_node_assert2.strict.doesNotMatch(runCli(repo, ["check", "--changed-since", "main", ...NOW]).stdout, /CODEOWNERS/);
  });
});
