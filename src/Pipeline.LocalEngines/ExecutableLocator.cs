namespace Pipeline.LocalEngines;

/// <summary>Finds a program the way a shell would: a path with a slash as is, a bare name on PATH.</summary>
internal static class ExecutableLocator
{
    public static string? Find(string program)
    {
        if (string.IsNullOrWhiteSpace(program))
        {
            return null;
        }

        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static string Require(string program, string debianPackages) =>
        Find(program) ?? throw new SpeechEngineNotFoundException($"The program '{program}' (on PATH)", debianPackages);
}
