using System.Buffers.Binary;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Audio;

/// <summary>
/// Turns the audio chunks of one synthesis (as <see cref="Microsoft.Extensions.AI.DataContent"/> bytes and media type)
/// into mono 16-bit little-endian PCM, chunk by chunk, so that streamed audio can be played before it is complete.
/// </summary>
/// <remarks>
/// Takes WAV (<c>audio/wav</c>, <c>audio/wave</c>, <c>audio/x-wav</c>, <c>audio/vnd.wave</c>) holding 16-bit PCM, whose
/// header may arrive split over chunks and whose data size may be unknown (0 or 0xFFFFFFFF while streaming); raw
/// little-endian PCM (<c>audio/pcm</c>, <c>audio/raw</c>) and big-endian <c>audio/L16</c> (RFC 2586), with
/// <c>rate=</c> and <c>channels=</c> parameters or the configured defaults. Several channels are mixed to mono.
/// Anything else (MP3, Opus, 8-bit or float WAV) is refused with an <see cref="UnsupportedAudioFormatException"/>
/// naming the type. One instance per synthesis.
/// </remarks>
internal sealed class AudioContentDecoder(int defaultRawSampleRate)
{
    private const int MaxHeaderBytes = 64 * 1024;

    private readonly List<byte> _header = [];
    private Kind _kind;
    private int _channels = 1;
    private long _dataRemaining = long.MaxValue;
    private byte[] _carry = new byte[16];
    private int _carryLength;

    private enum Kind
    {
        Unknown,
        WavHeader,
        Pcm,
        PcmBigEndian,
        Done,
    }

    /// <summary>The sample rate of the decoded PCM in Hz, once known (0 before).</summary>
    public int SampleRate { get; private set; }

    /// <summary>Decodes one chunk; returns mono PCM, possibly empty (e.g. while a WAV header is incomplete).</summary>
    /// <exception cref="UnsupportedAudioFormatException">The media type or the WAV encoding is not 16-bit PCM.</exception>
    public byte[] Decode(ReadOnlySpan<byte> data, string? mediaType)
    {
        if (_kind == Kind.Unknown)
        {
            Begin(mediaType);
        }

        switch (_kind)
        {
            case Kind.WavHeader:
                if (_header.Count + data.Length > MaxHeaderBytes)
                {
                    throw new UnsupportedAudioFormatException($"The WAV audio has no 'data' chunk within its first {MaxHeaderBytes} bytes.");
                }

                _header.AddRange(data);
                int dataStart = TryParseWavHeader();
                if (dataStart < 0)
                {
                    return [];
                }

                byte[] afterHeader = [.. _header.Skip(dataStart)];
                _header.Clear();
                return Samples(afterHeader, bigEndian: false);
            case Kind.Pcm:
                return Samples(data, bigEndian: false);
            case Kind.PcmBigEndian:
                return Samples(data, bigEndian: true);
            default:
                return [];
        }
    }

    private void Begin(string? mediaType)
    {
        string type = mediaType ?? "(none)";
        string[] parts = type.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string essence = parts.Length == 0 ? type : parts[0].ToLowerInvariant();
        switch (essence)
        {
            case "audio/wav" or "audio/wave" or "audio/x-wav" or "audio/vnd.wave":
                _kind = Kind.WavHeader;
                return;
            case "audio/pcm" or "audio/raw" or "audio/l16":
                _kind = essence == "audio/l16" ? Kind.PcmBigEndian : Kind.Pcm;
                SampleRate = Parameter(parts, "rate") ?? defaultRawSampleRate;
                _channels = Parameter(parts, "channels") ?? 1;
                ValidateFormat(type);
                return;
            default:
                throw new UnsupportedAudioFormatException(
                    $"Audio of media type '{type}' cannot be decoded: only 16-bit PCM as audio/wav, audio/pcm or audio/L16 is " +
                    "supported. Ask the provider for WAV or PCM (e.g. TextToSpeechOptions.AudioFormat = \"wav\").");
        }
    }

    private static int? Parameter(string[] parts, string name)
    {
        foreach (string part in parts.AsSpan(1))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part.AsSpan(0, eq).Trim().Equals(name, StringComparison.OrdinalIgnoreCase)
                && int.TryParse(part.AsSpan(eq + 1).Trim(), out int value))
            {
                return value;
            }
        }

        return null;
    }

    private void ValidateFormat(string what)
    {
        if (SampleRate is < PcmFormat.MinSampleRate or > PcmFormat.MaxSampleRate || _channels is < 1 or > PcmFormat.MaxChannels)
        {
            throw new UnsupportedAudioFormatException(
                $"Audio '{what}' has {SampleRate} Hz and {_channels} channels; supported are {PcmFormat.MinSampleRate} to " +
                $"{PcmFormat.MaxSampleRate} Hz and 1 to {PcmFormat.MaxChannels} channels.");
        }
    }

    // Returns the offset of the first PCM byte, or -1 while the header is incomplete.
    private int TryParseWavHeader()
    {
        WavHeader header;
        try
        {
            if (!WavFile.TryReadHeader(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_header), out header))
            {
                return -1;
            }
        }
        catch (InvalidDataException e)
        {
            throw new UnsupportedAudioFormatException(e.Message, e);
        }

        SampleRate = header.SampleRate;
        _channels = header.Channels;
        _dataRemaining = header.DataLength ?? long.MaxValue;
        _kind = Kind.Pcm;
        return header.DataOffset;
    }

    private byte[] Samples(ReadOnlySpan<byte> data, bool bigEndian)
    {
        if (_dataRemaining != long.MaxValue)
        {
            // Chunks after the data (e.g. LIST metadata) are not audio.
            int take = (int)Math.Min(data.Length, _dataRemaining);
            _dataRemaining -= take;
            data = data[..take];
            if (_dataRemaining == 0)
            {
                _kind = Kind.Done;
            }
        }

        int frameBytes = 2 * _channels;
        int total = _carryLength + data.Length;
        int whole = total - (total % frameBytes);
        byte[] interleaved = new byte[whole];
        int fromCarry = Math.Min(_carryLength, whole);
        _carry.AsSpan(0, fromCarry).CopyTo(interleaved);
        data[..(whole - fromCarry)].CopyTo(interleaved.AsSpan(fromCarry));
        ReadOnlySpan<byte> rest = data[(whole - fromCarry)..];
        if (_carry.Length < rest.Length)
        {
            _carry = new byte[rest.Length];
        }

        rest.CopyTo(_carry);
        _carryLength = rest.Length;
        if (bigEndian)
        {
            Span<short> samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(interleaved.AsSpan());
            BinaryPrimitives.ReverseEndianness(samples, samples);
        }

        if (_channels == 1)
        {
            return interleaved;
        }

        byte[] mono = new byte[whole / _channels];
        Pcm16.MixToMono(interleaved, _channels, mono);
        return mono;
    }
}
