import Core
import Foundation
import Results

extension ResultDocument.EnvironmentInfo {
    /// This machine, and the commit and branch from the usual CI variables
    /// (GitHub Actions, GitLab CI, Jenkins, Buildkite, CircleCI, Azure Pipelines).
    public static func current(environment env: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        func first(_ names: [String]) -> String? { names.lazy.compactMap { env[$0] }.first { !$0.isEmpty } }
        var os = ProcessInfo.processInfo.operatingSystemVersionString
        if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
            let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            os = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        let ci: String? =
            env["GITHUB_ACTIONS"] == "true" ? "github-actions"
            : env["GITLAB_CI"] != nil ? "gitlab-ci"
            : env["JENKINS_URL"] != nil ? "jenkins"
            : env["BUILDKITE"] != nil ? "buildkite"
            : env["CIRCLECI"] != nil ? "circleci"
            : env["TF_BUILD"] != nil ? "azure-pipelines"
            : env["CI"] != nil ? "ci" : nil
        return Self(
            host: ProcessInfo.processInfo.hostName,
            os: os,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            toolVersion: stressCIVersion,
            gitCommit: first(["GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "BUILD_SOURCEVERSION"]),
            gitBranch: first(["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "GIT_BRANCH", "BUILDKITE_BRANCH", "CIRCLE_BRANCH", "BUILD_SOURCEBRANCHNAME"]),
            ci: ci)
    }
}
