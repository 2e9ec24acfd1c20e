using System.Collections.Frozen;
using System.Text;

namespace Pipeline.WebSocket.Server;

/// <summary>The playground page's files, read once from the assembly's embedded resources.</summary>
internal static class PlaygroundFiles
{
    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> s_files = new(Load);

    /// <summary>The file names served (e.g. <c>index.html</c>, <c>playground.js</c>).</summary>
    public static IEnumerable<string> Names => s_files.Value.Keys;

    /// <summary>A file's bytes and content type, with <c>{{WS_PATH}}</c> replaced in the page; false when there is no such file.</summary>
    public static bool TryGet(string name, string webSocketPath, out byte[] content, out string contentType)
    {
        content = [];
        contentType = "";
        if (!s_files.Value.TryGetValue(name, out byte[]? bytes) || !s_contentTypes.TryGetValue(Path.GetExtension(name), out string? type))
        {
            return false;
        }

        content = name.EndsWith(".html", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("{{WS_PATH}}", webSocketPath, StringComparison.Ordinal))
            : bytes;
        contentType = type;
        return true;
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(PlaygroundFiles).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("Playground/", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource["Playground/".Length..]] = copy.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
