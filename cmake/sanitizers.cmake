# OH_SANITIZE=address,undefined or OH_SANITIZE=thread instruments every target.
set(OH_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread")
if(OH_SANITIZE)
  add_compile_options(-fsanitize=${OH_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${OH_SANITIZE})
endif()
