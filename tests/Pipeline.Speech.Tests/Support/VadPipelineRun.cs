using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Speech.Tests.Support;

/// <summary>Runs one processor in a real <see cref="PipelineTask"/> and records what reaches the end, in order.</summary>
internal static class VadPipelineRun
{
    public static async Task<List<Frame>> RunAsync(FrameProcessor processor, IEnumerable<Frame> input, bool allowInterruptions = true)
    {
        var atEnd = new ConcurrentQueue<Frame>();
        var errors = new ConcurrentQueue<ErrorFrame>();
        await using var task = new PipelineTask(new FramePipeline(processor), new PipelineTaskOptions { AllowInterruptions = allowInterruptions });
        task.FrameReachedEnd += (_, frame) => atEnd.Enqueue(frame);
        task.ErrorReceived += (_, error) => errors.Enqueue(error);
        Task<PipelineFinishReason> running = task.RunAsync();
        await task.QueueFramesAsync(input.Append(new EndFrame()));
        PipelineFinishReason reason = await running.WaitAsync(TimeSpan.FromMinutes(1));
        reason.Should().Be(PipelineFinishReason.Ended);
        errors.Should().BeEmpty();
        return atEnd.Where(f => f is not (StartFrame or EndFrame)).ToList();
    }

    /// <summary>The track as input transport frames of 20 ms, with <paramref name="channels"/> identical channels.</summary>
    public static IEnumerable<Frame> AudioFrames(SpeechTrack track, int channels = 1)
    {
        foreach (ReadOnlyMemory<byte> chunk in track.Chunks(TimeSpan.FromMilliseconds(20)))
        {
            if (channels == 1)
            {
                yield return new InputAudioRawFrame(chunk, track.SampleRate, 1);
                continue;
            }

            byte[] interleaved = new byte[chunk.Length * channels];
            for (int s = 0; s < chunk.Length / 2; s++)
            {
                for (int c = 0; c < channels; c++)
                {
                    chunk.Span.Slice(s * 2, 2).CopyTo(interleaved.AsSpan(((s * channels) + c) * 2));
                }
            }

            yield return new InputAudioRawFrame(interleaved, track.SampleRate, channels);
        }
    }
}
