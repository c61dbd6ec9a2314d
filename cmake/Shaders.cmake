# Compiles shaders/**/*.comp with glslc (warnings are errors), validates each module with
# spirv-val and embeds them into the library (see EmbedSpirv.cmake). No GLSL is compiled at
# run time and no .spv file is read at run time.
find_program(GLSLC glslc REQUIRED)
find_program(SPIRV_VAL spirv-val REQUIRED)

function(rearview_embed_shaders target)
    file(GLOB_RECURSE comps CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/shaders/*.comp")
    file(GLOB common CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/shaders/common/*.glsl")
    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/shaders")
    file(MAKE_DIRECTORY "${out_dir}")
    set(spvs "")
    set(entries "")
    set(seen "")
    foreach(comp IN LISTS comps)
        get_filename_component(name "${comp}" NAME_WE)
        if(name IN_LIST seen)
            message(FATAL_ERROR "two shaders are named '${name}'; shader names must be unique: ${comp}")
        endif()
        list(APPEND seen "${name}")
        set(spv "${out_dir}/${name}.spv")
        file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${comp}")
        add_custom_command(
            OUTPUT "${spv}"
            COMMAND "${GLSLC}" --target-env=vulkan1.3 -Werror -O -I "${PROJECT_SOURCE_DIR}/shaders/common"
                    -o "${spv}" "${comp}"
            COMMAND "${SPIRV_VAL}" --target-env vulkan1.3 "${spv}"
            DEPENDS "${comp}" ${common}
            COMMENT "glslc + spirv-val ${rel}"
            VERBATIM)
        list(APPEND spvs "${spv}")
        list(APPEND entries "${name}=${spv}")
    endforeach()
    string(REPLACE ";" "|" entries_arg "${entries}")
    add_custom_command(
        OUTPUT "${out_dir}/rearview_shaders.cpp" "${out_dir}/rearview_shaders.hpp"
        COMMAND "${CMAKE_COMMAND}" -DOUT_DIR=${out_dir} "-DSHADERS=${entries_arg}"
                -P "${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake"
        DEPENDS ${spvs} "${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake"
        COMMENT "embedding SPIR-V into the library"
        VERBATIM)
    target_sources(${target} PRIVATE "${out_dir}/rearview_shaders.cpp")
    target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
