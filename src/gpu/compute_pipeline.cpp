// SPDX-License-Identifier: MIT
#include "gpu/compute_pipeline.hpp"

#include <cassert>
#include <vector>

namespace rearview::gpu {
namespace {

constexpr uint32_t kOpExecutionMode = 16;
constexpr uint32_t kExecutionModeLocalSize = 17;

// Reads the LocalSize execution mode from a SPIR-V module.
void readLocalSize(std::span<const uint32_t> code, uint32_t (&out)[3]) {
    for (size_t i = 5; i < code.size();) {
        uint32_t words = code[i] >> 16, op = code[i] & 0xffff;
        if (words == 0)
            break;
        if (op == kOpExecutionMode && words >= 6 && code[i + 2] == kExecutionModeLocalSize) {
            out[0] = code[i + 3];
            out[1] = code[i + 4];
            out[2] = code[i + 5];
            return;
        }
        i += words;
    }
}

} // namespace

Result<ComputePipeline> ComputePipeline::create(Device& device, ShaderId shader,
                                                std::span<const VkDescriptorType> bindings,
                                                uint32_t pushConstantBytes, std::span<const uint32_t> specialization) {
    VkDevice dev = device.device();
    const VolkDeviceTable& vk = device.vk();
    ComputePipeline p;
    p.vk_ = &vk;
    p.bindings_.assign(bindings.begin(), bindings.end());
    std::span<const uint32_t> code = spirv(shader);
    readLocalSize(code, p.localSize_);

    std::vector<VkDescriptorSetLayoutBinding> lb;
    for (uint32_t i = 0; i < bindings.size(); ++i)
        lb.push_back({i, bindings[i], 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
    VkDescriptorSetLayoutCreateInfo dli{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    dli.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    dli.bindingCount = uint32_t(lb.size());
    dli.pBindings = lb.data();
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    RV_VK_TRY(vk.vkCreateDescriptorSetLayout(dev, &dli, nullptr, &setLayout));
    p.setLayout_ = device.own(setLayout);

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushConstantBytes};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &setLayout;
    pli.pushConstantRangeCount = pushConstantBytes ? 1 : 0;
    pli.pPushConstantRanges = &range;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    RV_VK_TRY(vk.vkCreatePipelineLayout(dev, &pli, nullptr, &layout));
    p.layout_ = device.own(layout);

    VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    smi.codeSize = code.size_bytes();
    smi.pCode = code.data();
    VkShaderModule module = VK_NULL_HANDLE;
    RV_VK_TRY(vk.vkCreateShaderModule(dev, &smi, nullptr, &module));
    Owned<VkShaderModule> moduleOwner = device.own(module);

    std::vector<VkSpecializationMapEntry> entries;
    for (uint32_t i = 0; i < specialization.size(); ++i)
        entries.push_back({i, uint32_t(i * sizeof(uint32_t)), sizeof(uint32_t)});
    VkSpecializationInfo spec{uint32_t(entries.size()), entries.data(), specialization.size_bytes(),
                              specialization.data()};

    VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    cpi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    cpi.stage.module = module;
    cpi.stage.pName = "main";
    cpi.stage.pSpecializationInfo = specialization.empty() ? nullptr : &spec;
    cpi.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    RV_VK_TRY(vk.vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, nullptr, &pipeline));
    p.pipeline_ = device.own(pipeline);
    return p;
}

void ComputePipeline::bind(VkCommandBuffer cmd) const {
    vk_->vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.get());
}

void ComputePipeline::pushBuffers(VkCommandBuffer cmd, std::initializer_list<VkDescriptorBufferInfo> buffers) const {
    VkWriteDescriptorSet writes[8];
    uint32_t n = 0;
    for (const VkDescriptorBufferInfo& b : buffers) {
        VkWriteDescriptorSet& w = writes[n];
        w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        w.dstBinding = n;
        w.descriptorCount = 1;
        w.descriptorType = bindings_[n];
        w.pBufferInfo = &b;
        if (++n == 8)
            break;
    }
    vk_->vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.get(), 0, n, writes);
}

void ComputePipeline::pushDescriptors(VkCommandBuffer cmd, std::initializer_list<Descriptor> descriptors) const {
    VkWriteDescriptorSet writes[8];
    uint32_t n = 0;
    for (const Descriptor& d : descriptors) {
        assert(n < bindings_.size());
        VkWriteDescriptorSet& w = writes[n];
        w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        w.dstBinding = n;
        w.descriptorCount = 1;
        w.descriptorType = bindings_[n];
        const bool imageBinding = w.descriptorType == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE ||
                                  w.descriptorType == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE ||
                                  w.descriptorType == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
        assert(imageBinding == d.isImage);
        (void)imageBinding;
        if (d.isImage)
            w.pImageInfo = &d.image;
        else
            w.pBufferInfo = &d.buffer;
        if (++n == 8)
            break;
    }
    vk_->vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.get(), 0, n, writes);
}

} // namespace rearview::gpu
