using System.Text;

namespace Pipeline.Security.Tests.Infrastructure;

/// <summary>
/// Deterministic inputs for parser fuzzing: mutations of a seed corpus (bit flips, JSON-ish tokens, deletions,
/// duplications, truncations, splices), random structured JSON over the protocol's field names, and random bytes.
/// </summary>
internal sealed class JsonFuzzer(int seed, IReadOnlyList<string> corpus, IReadOnlyList<string> keys)
{
    private static readonly string[] Tokens =
    [
        "null", "true", "false", "0", "-1", "1e400", "-0.0", "12345678901234567890123", "\"\"", "{}", "[]", "\"x\"",
        "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\\"", "\\\\", "\\u00", "\u00e9", "\u0000", "\ud83d\ude00",
        "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\t\n", "/*c*/", "NaN", "Infinity", "\uFEFF",
        new string('[', 70), new string('{', 10),
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0xFE, 0x80, 0xC0, 0xED, 0xF4, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)','];

    private readonly Random _random = new(seed);
    private readonly byte[][] _corpus = [.. corpus.Select(Encoding.UTF8.GetBytes)];

    public byte[] Next()
    {
        int kind = _random.Next(10);
        return kind switch
        {
            < 7 => Mutate(_corpus[_random.Next(_corpus.Length)]),
            < 9 => Encoding.UTF8.GetBytes(RandomJson(depth: 0, root: true)),
            _ => RandomBytes(),
        };
    }

    private byte[] Mutate(byte[] seed)
    {
        var data = new List<byte>(seed);
        int operations = 1 + _random.Next(4);
        for (int i = 0; i < operations; i++)
        {
            int at = data.Count == 0 ? 0 : _random.Next(data.Count + 1);
            switch (_random.Next(8))
            {
                case 0 when data.Count > 0:
                    int flip = _random.Next(data.Count);
                    data[flip] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[_random.Next(data.Count)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                    break;
                case 2:
                case 3:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[_random.Next(Tokens.Length)]));
                    break;
                case 4 when data.Count > 0:
                    int from = _random.Next(data.Count);
                    data.RemoveRange(from, Math.Min(data.Count - from, 1 + _random.Next(16)));
                    break;
                case 5 when data.Count > 0:
                    int start = _random.Next(data.Count);
                    int length = Math.Min(data.Count - start, 1 + _random.Next(32));
                    data.InsertRange(at, data.GetRange(start, length));
                    break;
                case 6 when data.Count > 0:
                    int keep = _random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                default:
                    byte[] other = _corpus[_random.Next(_corpus.Length)];
                    int cut = _random.Next(other.Length + 1);
                    data.InsertRange(at, other.AsSpan(cut).ToArray());
                    break;
            }
        }

        return [.. data];
    }

    private string RandomJson(int depth, bool root = false)
    {
        int choice = root ? 0 : _random.Next(depth > 4 ? 6 : 8);
        switch (choice)
        {
            case 0:
            case 6:
                var members = new List<string>();
                int count = _random.Next(root ? 1 : 0, 6);
                for (int i = 0; i < count; i++)
                {
                    string key = _random.Next(5) == 0 ? RandomString() : keys[_random.Next(keys.Count)];
                    members.Add($"\"{key}\":{RandomJson(depth + 1)}");
                }

                return "{" + string.Join(",", members) + "}";
            case 7:
                return "[" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => RandomJson(depth + 1))) + "]";
            case 1:
                return "\"" + (_random.Next(2) == 0 ? keys[_random.Next(keys.Count)] : RandomString()) + "\"";
            case 2:
                return _random.Next(3) switch { 0 => "1e400", 1 => "-12.5", _ => _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) };
            case 3:
                return _random.Next(2) == 0 ? "true" : "false";
            case 4:
                return "null";
            default:
                return "\"" + Tokens[_random.Next(Tokens.Length)].Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        }
    }

    private string RandomString()
    {
        var builder = new StringBuilder();
        int length = _random.Next(12);
        for (int i = 0; i < length; i++)
        {
            builder.Append(_random.Next(6) switch
            {
                0 => "\\u" + _random.Next(0x10000).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                1 => "\\n",
                _ => (char)('a' + _random.Next(26)),
            });
        }

        return builder.ToString();
    }

    private byte[] RandomBytes()
    {
        byte[] bytes = new byte[_random.Next(64)];
        _random.NextBytes(bytes);
        return bytes;
    }
}
