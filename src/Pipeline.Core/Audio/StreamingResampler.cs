using System.Runtime.InteropServices;
using Concentus;

namespace Pipeline.Core.Audio;

/// <summary>
/// Resamples a stream of mono 16-bit PCM from one rate to another, chunk by chunk, keeping the filter state across
/// chunks so that chunk boundaries leave no clicks or gaps.
/// </summary>
/// <remarks>
/// Built on the Speex resampler from the Concentus package (a pure managed port, so no native dependency).
/// The output is time-aligned with the input: the filter's start-up delay is skipped, and <see cref="Flush"/>
/// drains the tail so that the total output is exactly <c>round(inputSamples * outputRate / inputRate)</c> samples.
/// Not thread-safe: one instance per stream.
/// </remarks>
public sealed class StreamingResampler : IDisposable
{
    /// <summary>Default Speex quality (0 = fastest, 10 = best); 7 keeps speech-band aliasing below -60 dB.</summary>
    public const int DefaultQuality = 7;

    private readonly IResampler? _resampler;
    private long _inputSamples;
    private long _outputSamples;
    private bool _disposed;

    /// <summary>Creates a resampler.</summary>
    /// <param name="inputRate">Input sample rate, in Hz.</param>
    /// <param name="outputRate">Output sample rate, in Hz.</param>
    /// <param name="quality">Speex quality from 0 to 10.</param>
    public StreamingResampler(int inputRate, int outputRate, int quality = DefaultQuality)
    {
        PcmFormat.Validate(0, inputRate, 1);
        PcmFormat.Validate(0, outputRate, 1);
        if (quality is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "Quality must be 0 to 10.");
        }

        InputRate = inputRate;
        OutputRate = outputRate;
        // One input block yields at most this many output samples, plus a few the filter may release at once.
        _outScratch = new float[(int)(((long)BlockSamples * outputRate + inputRate - 1) / inputRate) + 64];
        if (inputRate != outputRate)
        {
            _resampler = ResamplerFactory.CreateResampler(1, inputRate, outputRate, quality, null);
            _resampler.SkipZeroes();
        }
    }

    /// <summary>Input sample rate, in Hz.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate, in Hz.</summary>
    public int OutputRate { get; }

    /// <summary>An upper bound of the bytes one call to <see cref="Resample(ReadOnlySpan{byte}, Span{byte})"/> writes for this much input.</summary>
    public int MaxOutputBytes(int inputBytes) =>
        checked((int)((((long)inputBytes / 2 * OutputRate) + InputRate - 1) / InputRate) + 64) * 2;

    /// <summary>Resamples a chunk. All of <paramref name="input"/> is consumed.</summary>
    /// <param name="input">Mono 16-bit PCM at <see cref="InputRate"/>; an even number of bytes.</param>
    /// <param name="output">Destination; at least <see cref="MaxOutputBytes"/> of the input length.</param>
    /// <returns>The number of bytes written to <paramref name="output"/>.</returns>
    public int Resample(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((input.Length & 1) != 0)
        {
            throw new ArgumentException("16-bit PCM needs an even number of bytes.", nameof(input));
        }

        if (output.Length < MaxOutputBytes(input.Length))
        {
            throw new ArgumentException($"Output needs room for {MaxOutputBytes(input.Length)} bytes.", nameof(output));
        }

        _inputSamples += input.Length / 2;
        if (_resampler is null)
        {
            input.CopyTo(output);
            _outputSamples += input.Length / 2;
            return input.Length;
        }

        ReadOnlySpan<short> inSamples = MemoryMarshal.Cast<byte, short>(input);
        Span<short> outSamples = MemoryMarshal.Cast<byte, short>(output);
        int written = Run(inSamples, outSamples);
        _outputSamples += written;
        return written * 2;
    }

    /// <summary>Resamples a chunk into a new array (convenient; the span overload allocates nothing).</summary>
    public byte[] Resample(ReadOnlySpan<byte> input)
    {
        byte[] buffer = new byte[MaxOutputBytes(input.Length)];
        int n = Resample(input, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Ends the stream: writes the samples still inside the filter, so the total output matches the input's
    /// duration. The resampler can then be reused for a new stream.
    /// </summary>
    /// <param name="output">Destination; <see cref="MaxFlushBytes"/> bytes are always enough.</param>
    /// <returns>The number of bytes written.</returns>
    public int Flush(Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long expected = ((_inputSamples * OutputRate) + (InputRate / 2)) / InputRate;
        int missing = (int)Math.Max(0, expected - _outputSamples);
        if (output.Length < missing * 2)
        {
            throw new ArgumentException($"Output needs room for {missing * 2} bytes.", nameof(output));
        }

        int written = 0;
        if (_resampler is not null && missing > 0)
        {
            Span<short> outSamples = MemoryMarshal.Cast<byte, short>(output);
            Span<short> zeros = stackalloc short[64];
            Span<short> scratch = stackalloc short[256];
            for (int guard = 0; written < missing && guard < 10_000; guard++)
            {
                int produced = Run(zeros, scratch);
                int take = Math.Min(produced, missing - written);
                scratch[..take].CopyTo(outSamples[written..]);
                written += take;
            }
        }

        Reset();
        return written * 2;
    }

    /// <summary>The most bytes <see cref="Flush"/> can write.</summary>
    public int MaxFlushBytes => ((_resampler?.InputLatency ?? 0) * OutputRate / InputRate + 64) * 2;

    /// <summary>Forgets the stream so far (e.g. after an interruption), without emitting its tail.</summary>
    public void Reset()
    {
        _inputSamples = 0;
        _outputSamples = 0;
        if (_resampler is not null)
        {
            _resampler.ResetMem();
            _resampler.SkipZeroes();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            (_resampler as IDisposable)?.Dispose();
        }
    }

    // Concentus' 16-bit entry point allocates a temporary float buffer on every call; its float entry point does not.
    // So samples are converted here, in blocks, through two fixed scratch buffers owned by this instance: a frame of
    // any size is processed in slices of BlockSamples input samples, so the scratch never grows with the frame (a
    // 100 MB frame used to leave scratch the size of its whole output held for the rest of the stream).
    private const int BlockSamples = 1024;
    private readonly float[] _inScratch = new float[BlockSamples];
    private readonly float[] _outScratch;

    private int Run(ReadOnlySpan<short> input, Span<short> output)
    {
        int written = 0;
        while (!input.IsEmpty)
        {
            int block = Math.Min(input.Length, BlockSamples);
            for (int i = 0; i < block; i++)
            {
                _inScratch[i] = input[i];
            }

            int room = Math.Min(output.Length - written, _outScratch.Length);
            int inLen = block;
            int outLen = room;
            _resampler!.Process(0, _inScratch.AsSpan(0, block), ref inLen, _outScratch.AsSpan(0, room), ref outLen);
            Span<short> destination = output.Slice(written, outLen);
            for (int i = 0; i < outLen; i++)
            {
                destination[i] = (short)Math.Clamp(MathF.Round(_outScratch[i]), short.MinValue, short.MaxValue);
            }

            written += outLen;
            input = input[inLen..];
            if (inLen == 0 && outLen == 0)
            {
                throw new InvalidOperationException("Resampler made no progress; the output buffer is too small.");
            }
        }

        return written;
    }
}
