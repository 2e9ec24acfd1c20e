namespace HeyGenAvatarBot.Output;

/// <summary>
/// A 5x7 pixel font (upper case, digits, common punctuation; lower case is drawn upper case) for the contact sheet's
/// timestamps and captions, so the example draws text without a font file or a graphics library.
/// </summary>
internal static class BitmapFont
{
    /// <summary>Width of one character cell in pixels at scale 1 (5 of glyph, 1 of spacing).</summary>
    public const int CellWidth = 6;

    /// <summary>Height of one line in pixels at scale 1 (7 of glyph, 2 of spacing).</summary>
    public const int LineHeight = 9;

    // Seven rows of five columns per glyph, top to bottom; '#' is ink.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = ".###.#...##...#######...##...##...#", ['B'] = "####.#...#####.#...##...##...#####.",
        ['C'] = ".###.#...##....#....#....#...#.###.", ['D'] = "####.#...##...##...##...##...#####.",
        ['E'] = "######....####.#....#....#....#####", ['F'] = "######....####.#....#....#....#....",
        ['G'] = ".###.#...##....#.####...##...#.####", ['H'] = "#...##...#######...##...##...##...#",
        ['I'] = ".###...#....#....#....#....#...###.", ['J'] = "..###...#....#....#....##...#.###..",
        ['K'] = "#...##..#.#.#..##...#.#..#..#.#...#", ['L'] = "#....#....#....#....#....#....#####",
        ['M'] = "#...###.###.#.##...##...##...##...#", ['N'] = "#...###..##.#.##..###...##...##...#",
        ['O'] = ".###.#...##...##...##...##...#.###.", ['P'] = "####.#...##...#####.#....#....#....",
        ['Q'] = ".###.#...##...##...##.#.##..#..##.#", ['R'] = "####.#...##...#####.#.#..#..#.#...#",
        ['S'] = ".####.....#.....###.....#....#####.", ['T'] = "#####..#....#....#....#....#....#..",
        ['U'] = "#...##...##...##...##...##...#.###.", ['V'] = "#...##...##...##...##...#.#.#...#..",
        ['W'] = "#...##...##...##.#.##.#.##.#.#.#.#.", ['X'] = "#...##...#.#.#...#...#.#.#...##...#",
        ['Y'] = "#...##...#.#.#...#....#....#....#..", ['Z'] = "#####....#...#...#...#...#....#####",
        ['0'] = ".###.#...##..###.#.###..##...#.###.", ['1'] = "..#...##....#....#....#....#...###.",
        ['2'] = ".###.#...#....#...#...#...#...#####", ['3'] = "#####...#...#.....#.....##...#.###.",
        ['4'] = "...#...##..#.#.#..#.#####...#....#.", ['5'] = "######....####.....#....##...#.###.",
        ['6'] = "..##..#...#....####.#...##...#.###.", ['7'] = "#####....#...#...#...#....#....#...",
        ['8'] = ".###.#...##...#.###.#...##...#.###.", ['9'] = ".###.#...##...#.####....#...#..##..",
        [' '] = "...................................", ['.'] = "..............................##...",
        [','] = ".........................##...#..#.", ['!'] = "..#....#....#....#....#.........#..",
        ['?'] = ".###.#...#....#...#...#.........#..", [':'] = "......##....##.........##....##....",
        ['\''] = "..#....#...#.......................", ['"'] = ".#.#..#.#..#.#.....................",
        ['-'] = "...............###.................", ['('] = "...#...#...#....#....#.....#.....#.",
        [')'] = ".#.....#.....#....#....#...#...#...", ['/'] = ".....#...#...#...#...#.............",
        ['%'] = "##...##..#...#...#...#...#..##...##", ['+'] = ".......#....#..#####..#....#.......",
        ['='] = "..........#####.....#####..........", ['>'] = ".#.....#.....#.....#...#...#...#...",
        ['<'] = "...#...#...#...#.....#.....#.....#.", [';'] = ".....##....##.........##...#..#....",
        ['&'] = ".##..#..#.#.#...#...#.#.##..#..##.#", ['…'] = "..............................#.#.#",
    };

    /// <summary>How many characters fit in <paramref name="width"/> pixels at <paramref name="scale"/>.</summary>
    public static int CharactersIn(int width, int scale = 1) => width / (CellWidth * scale);

    /// <summary>
    /// Draws <paramref name="text"/> into an RGB24 image with its top-left corner at (<paramref name="x"/>,
    /// <paramref name="y"/>); pixels outside the image are skipped.
    /// </summary>
    public static void Draw(Span<byte> rgb, int imageWidth, int imageHeight, int x, int y, string text, (byte R, byte G, byte B) color, int scale = 1)
    {
        foreach (char c in text)
        {
            if (!Glyphs.TryGetValue(char.ToUpperInvariant(c), out string? glyph))
            {
                glyph = Glyphs['?'];
            }

            for (int i = 0; i < glyph.Length; i++)
            {
                if (glyph[i] != '#')
                {
                    continue;
                }

                for (int dy = 0; dy < scale; dy++)
                {
                    for (int dx = 0; dx < scale; dx++)
                    {
                        int px = x + ((i % 5) * scale) + dx;
                        int py = y + ((i / 5) * scale) + dy;
                        if (px >= 0 && py >= 0 && px < imageWidth && py < imageHeight)
                        {
                            int at = ((py * imageWidth) + px) * 3;
                            rgb[at] = color.R;
                            rgb[at + 1] = color.G;
                            rgb[at + 2] = color.B;
                        }
                    }
                }
            }

            x += CellWidth * scale;
        }
    }

    /// <summary>Breaks <paramref name="text"/> into at most <paramref name="maxLines"/> lines of <paramref name="columns"/> characters.</summary>
    public static IReadOnlyList<string> Wrap(string text, int columns, int maxLines)
    {
        var lines = new List<string>();
        string line = string.Empty;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = line.Length == 0 ? word : line + " " + word;
            if (candidate.Length <= columns)
            {
                line = candidate;
                continue;
            }

            if (line.Length > 0)
            {
                lines.Add(line);
            }

            line = word.Length <= columns ? word : word[..columns];
        }

        if (line.Length > 0)
        {
            lines.Add(line);
        }

        if (lines.Count > maxLines)
        {
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            string last = lines[^1];
            lines[^1] = (last.Length >= columns ? last[..(columns - 1)] : last) + "…";
        }

        return lines;
    }
}
